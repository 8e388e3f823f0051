/**
 * Caps on what one reaction document may hold, checked when it is applied or validated. Every
 * step's templates run for every matching event, so a document's size is work done per event;
 * the caps keep it far above what a hand-written reaction needs and far below what would slow
 * the server.
 */

/** Steps in one reaction. */
export const MAX_STEPS = 100;
/** One document as YAML or JSON text, in UTF-8 bytes (256 KiB). */
export const MAX_DOCUMENT_BYTES = 256 * 1024;

const encoder = new TextEncoder();

/** Why `text` is too large to be a reaction document, or null. */
export function textSizeProblem(text: string): string | null {
  // A character is at most 3 UTF-8 bytes (4 for a surrogate pair, which is 2 characters).
  if (text.length * 3 <= MAX_DOCUMENT_BYTES) return null;
  const bytes = encoder.encode(text).length;
  return bytes > MAX_DOCUMENT_BYTES
    ? `the document is ${bytes.toLocaleString('en')} bytes; a reaction document may be at most ${MAX_DOCUMENT_BYTES.toLocaleString('en')} bytes (256 KiB)`
    : null;
}

/** Why the parsed document is too large, measured as its JSON text, or null. */
export function documentSizeProblem(document: unknown): string | null {
  let text: string;
  try {
    text = JSON.stringify(document) ?? '';
  } catch {
    return 'the document cannot be read as JSON (too deeply nested)';
  }
  return textSizeProblem(text);
}
