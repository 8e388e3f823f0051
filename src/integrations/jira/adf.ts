/**
 * Plain text (what a Liquid template renders) as a minimal Atlassian Document Format document,
 * which Jira v3 requires for descriptions and comments: blank lines separate paragraphs, single
 * line breaks become `hardBreak`s, and http(s) URLs become links. ADF refuses empty text nodes,
 * so none are made.
 */

export interface AdfText {
  type: 'text';
  text: string;
  marks?: Array<{ type: 'link'; attrs: { href: string } }>;
}

export type AdfInline = AdfText | { type: 'hardBreak' };

export interface AdfParagraph {
  type: 'paragraph';
  content: AdfInline[];
}

export interface AdfDocument {
  type: 'doc';
  version: 1;
  content: AdfParagraph[];
}

const URL_PATTERN = /https?:\/\/[^\s<>"]+[^\s<>".,;:!?)\]'}]/g;

function inline(line: string): AdfText[] {
  const nodes: AdfText[] = [];
  let last = 0;
  for (const match of line.matchAll(URL_PATTERN)) {
    if (match.index > last) nodes.push({ type: 'text', text: line.slice(last, match.index) });
    nodes.push({ type: 'text', text: match[0], marks: [{ type: 'link', attrs: { href: match[0] } }] });
    last = match.index + match[0].length;
  }
  if (last < line.length) nodes.push({ type: 'text', text: line.slice(last) });
  return nodes;
}

function paragraph(block: string): AdfParagraph {
  const content: AdfInline[] = [];
  block.split('\n').forEach((line, i) => {
    if (i > 0) content.push({ type: 'hardBreak' });
    content.push(...inline(line));
  });
  return { type: 'paragraph', content };
}

export function toAdf(text: string): AdfDocument {
  const blocks = text
    .replace(/\r\n?/g, '\n')
    .split(/\n(?:[ \t]*\n)+/)
    .map((block) => block.replace(/^(?:[ \t]*\n)+|\s+$/g, ''))
    .filter((block) => block.trim() !== '');
  return { type: 'doc', version: 1, content: blocks.map(paragraph) };
}
