import { parseAllDocuments } from 'yaml';
import { textSizeProblem } from './document-limits.js';
import { errorMessage } from '../error-message.js';

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
    try {
      return collect([JSON.parse(text)]);
    } catch {
      // Not JSON; it may still be YAML flow style (`{name: x}`), and YAML reports line numbers.
    }
  }
  // YAML 1.2 (the library's default) keeps `on:` a string key; YAML 1.1 would read it as `true`.
  const docs = parseAllDocuments(text, { prettyErrors: true });
  const problems: string[] = [];
  const values: unknown[] = [];
  for (const doc of docs) {
    for (const err of doc.errors) {
      const pos = err.linePos?.[0];
      const message = err.message.replace(/ at line \d+, column \d+:?[\s\S]*$/, '');
      problems.push(pos ? `line ${pos.line}, column ${pos.col}: ${message}` : message);
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
