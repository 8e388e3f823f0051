import type { CST } from 'yaml';
import { textSizeProblem } from './document-limits.js';
import { errorMessage } from '../error-message.js';
import { MAX_JSON_DEPTH, valueProblem } from '../json-limits.js';
import { yamlLibrary } from '../yaml-library.js';

type ParsedText = { ok: true; documents: unknown[] } | { ok: false; problems: string[] };

/**
 * Reads reaction documents from JSON (an object or an array of objects) or YAML (one or more
 * `---`-separated documents, each an object or a list of objects). Syntax errors come back as
 * `line L, column C: message`; a document that is not an object as `document N: ...`. Text over
 * MAX_DOCUMENT_BYTES is refused unread; YAML aliases are limited (see below).
 */
export function parseReactionText(text: string): ParsedText {
  const tooLarge = textSizeProblem(text);
  if (tooLarge) return { ok: false, problems: [tooLarge] };
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    const json = parseJson(text);
    if (json.parsed) {
      // JSON.parse does not recurse, but what reads the document afterwards does.
      const problem = valueProblem(json.value, 'the document');
      return problem ? { ok: false, problems: [problem.message] } : collect([json.value]);
    }
    // Not JSON; it may still be YAML flow style (`{name: x}`), and YAML reports line numbers.
  }
  // The library's lexer and parser are iterative, but building values from their tokens recurses
  // once per level. Text such as `[[[[…` (one byte a level) takes that to the end of the stack,
  // where the library catches the RangeError and carries on composing: V8 aborts the whole
  // process if it has to compile a regular expression there ("RegExpCompiler Allocation failed").
  // So the tokens' depth is measured first, without recursion, and deep text is refused unbuilt.
  const { Composer, LineCounter, Parser } = yamlLibrary();
  const lines = new LineCounter();
  const tokens = Array.from(new Parser(lines.addNewLine).parse(text));
  if (tokens.some((token) => cstDepth(token) > MAX_JSON_DEPTH)) {
    return { ok: false, problems: [`the document is nested more than ${MAX_JSON_DEPTH} levels deep`] };
  }
  // YAML 1.2 (the library's default) keeps `on:` a string key; YAML 1.1 would read it as `true`.
  const docs = Array.from(new Composer().compose(tokens));
  const problems: string[] = [];
  const values: unknown[] = [];
  for (const doc of docs) {
    for (const err of doc.errors) {
      const pos = err.pos[0] >= 0 ? lines.linePos(err.pos[0]) : undefined;
      problems.push(pos ? `line ${pos.line}, column ${pos.col}: ${err.message}` : err.message);
    }
    if (doc.errors.length > 0) continue;
    try {
      // An alias repeats the node it names; aliases of aliases grow a small text exponentially
      // ("billion laughs"). The library refuses a document whose aliases expand past this count.
      const value: unknown = doc.toJS({ maxAliasCount: 100 });
      if (value !== null && value !== undefined) values.push(value); // null: a `---` with nothing after it
    } catch (err) {
      problems.push(errorMessage(err));
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  return collect(values);
}

function parseJson(text: string): { parsed: true; value: unknown } | { parsed: false } {
  try {
    return { parsed: true, value: JSON.parse(text) as unknown };
  } catch {
    return { parsed: false };
  }
}

/**
 * How many collections (block maps and sequences, flow collections) nest in a parsed token,
 * counted with a list instead of recursion so that no depth of input can overflow the stack.
 */
function cstDepth(root: CST.Token): number {
  let max = 0;
  const pending: Array<{ node: unknown; depth: number }> = [{ node: root, depth: 0 }];
  while (pending.length > 0) {
    const { node, depth } = pending.pop()!;
    if (node === null || typeof node !== 'object') continue;
    const token = node as { type?: string; items?: unknown[]; key?: unknown; value?: unknown };
    const nested = token.type === 'block-map' || token.type === 'block-seq' || token.type === 'flow-collection';
    const inner = nested ? depth + 1 : depth;
    max = Math.max(max, inner);
    for (const item of token.items ?? []) pending.push({ node: item, depth: inner });
    pending.push({ node: token.key, depth }, { node: token.value, depth });
  }
  return max;
}

function collect(values: unknown[]): ParsedText {
  const documents = values.flatMap((v) => (Array.isArray(v) ? v : [v]));
  if (documents.length === 0) return { ok: false, problems: ['the text holds no reaction document'] };
  const problems = documents.flatMap((doc, i) =>
    doc !== null && typeof doc === 'object' && !Array.isArray(doc)
      ? []
      : [`document ${i + 1}: must be an object (a reaction), not ${describe(doc)}`],
  );
  return problems.length > 0 ? { ok: false, problems } : { ok: true, documents };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}
