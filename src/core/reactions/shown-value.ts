/**
 * Event values as a refusal shows them: the field a filter compared may hold a whole object or a
 * long text, and one reason is read per reaction, so what is shown is bounded, in size and depth.
 */

/** Characters kept of a text. */
const MAX_TEXT = 200;
/** Items kept of a list, or keys of an object. */
const MAX_ITEMS = 10;
/** Characters of a value written into a sentence. */
const MAX_WORDS = 120;

/**
 * `value`, bounded: texts cut to 200 characters, lists and objects to their first 10 items, and
 * anything nested two levels deep replaced by `…`; a cut is marked with `…`.
 */
export function shownValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.length > MAX_TEXT ? `${value.slice(0, MAX_TEXT)}…` : value;
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value !== 'object') return undefined;
  if (depth >= 2) return '…';
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_ITEMS).map((item) => shownValue(item, depth + 1) ?? null);
    return value.length > MAX_ITEMS ? [...items, '…'] : items;
  }
  const entries = Object.entries(value);
  const kept = entries.slice(0, MAX_ITEMS).map(([key, item]) => [key, shownValue(item, depth + 1)]);
  return Object.fromEntries(entries.length > MAX_ITEMS ? [...kept, ['…', '…']] : kept);
}

/** A value in a sentence: as JSON (texts quoted), cut to 120 characters. */
export function valueWords(value: unknown): string {
  const text = JSON.stringify(shownValue(value)) ?? String(value);
  return text.length > MAX_WORDS ? `${text.slice(0, MAX_WORDS)}…` : text;
}

/** `"a"`, `"a" or "b"`, `"a", "b" or "c"`. */
export function alternatives(values: readonly unknown[]): string {
  const words = values.map(valueWords);
  return words.length <= 1 ? (words[0] ?? 'nothing') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}
