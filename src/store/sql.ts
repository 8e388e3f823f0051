// Helpers for the raw, dialect-portable SQL of the hot paths (`?` placeholders on both dialects).

// Every ingest batch asks for the same few shapes (its size, 17 columns), so each is built once.
// Bounded, so a caller asking for many different shapes cannot grow it without end.
const MAX_CACHED = 2048;
const built = new Map<string, string>();

/**
 * The text `build` gives for `key`, built once: a statement whose shape depends on a batch's size
 * is then the same string object every time, so the prepared-statement cache finds it by a
 * hash V8 keeps on the string instead of hashing a new kilobyte-long text per batch.
 */
export function cached(key: string, build: () => string): string {
  let text = built.get(key);
  if (text === undefined) {
    text = build();
    if (built.size >= MAX_CACHED) built.clear();
    built.set(key, text);
  }
  return text;
}

/** `?, ?, ?` for n values. */
export const placeholders = (n: number): string => cached(`p${n}`, () => Array.from({ length: n }, () => '?').join(', '));

/** `(?, ?), (?, ?)` for n rows of `width` values. */
export const rowsOf = (n: number, width: number): string =>
  cached(`r${n}x${width}`, () => Array.from({ length: n }, () => `(${placeholders(width)})`).join(', '));
