import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The README is a front door to pages under docs/: every relative link in them, and every #anchor,
// must lead somewhere, or a moved section leaves readers at a dead end.
const root = fileURLToPath(new URL('..', import.meta.url));

function markdownFiles(dir: string): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const at = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) return markdownFiles(at);
    return entry.name.endsWith('.md') ? [at] : [];
  });
}

/** Lines outside fenced code blocks: a `#` in a shell snippet is not a heading, a `](x)` there not a link. */
function prose(text: string): string[] {
  let fenced = false;
  return text.split('\n').filter((line) => {
    if (line.startsWith('```')) fenced = !fenced;
    return !fenced && !line.startsWith('```');
  });
}

/** The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const line of prose(text)) {
    const heading = /^#{1,6} (.*)$/.exec(line);
    if (!heading) continue;
    const slug = heading[1]!
      .replace(/`/g, '')
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\p{M}_\- ]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(slug);
    seen.set(slug, (count ?? -1) + 1);
    out.add(count === undefined ? slug : `${slug}-${count + 1}`);
  }
  return out;
}

const files = ['README.md', ...markdownFiles('docs')];
const text = new Map(files.map((f) => [f, fs.readFileSync(path.join(root, f), 'utf8')]));

describe('documentation links', () => {
  it.each(files)('%s links only to files and headings that exist', (file) => {
    const broken: string[] = [];
    for (const line of prose(text.get(file)!)) {
      for (const [, target] of line.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(target!)) continue; // http:, https:, mailto:
        const [relative, anchor] = target!.split('#') as [string, string | undefined];
        const resolved = relative ? path.posix.normalize(path.posix.join(path.posix.dirname(file), relative)) : file;
        if (!fs.existsSync(path.join(root, resolved))) {
          broken.push(`${target} (no file ${resolved})`);
          continue;
        }
        if (anchor && resolved.endsWith('.md')) {
          const page = text.get(resolved) ?? fs.readFileSync(path.join(root, resolved), 'utf8');
          if (!anchors(page).has(anchor)) broken.push(`${target} (no heading #${anchor} in ${resolved})`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it('keeps the README a front door', () => {
    expect(text.get('README.md')!.split('\n').length).toBeLessThanOrEqual(250);
  });
});
