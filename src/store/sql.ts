// Helpers for the raw, dialect-portable SQL of the hot paths (`?` placeholders on both dialects).

/** `?, ?, ?` for n values. */
export const placeholders = (n: number): string => Array.from({ length: n }, () => '?').join(', ');

/** `(?, ?), (?, ?)` for n rows of `width` values. */
export const rowsOf = (n: number, width: number): string => Array.from({ length: n }, () => `(${placeholders(width)})`).join(', ');
