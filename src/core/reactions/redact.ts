/** Secrets shorter than this are not redacted: masking every "abc" in a log would hide more than it protects. */
export const MIN_REDACTED_LENGTH = 4;
export const REDACTED = '***';

/** Text to hide → what it reads as instead (a secret's placeholder, or `***`). */
export type Masks = ReadonlyMap<string, string>;

// Callers redact many values against the same masks (every log line of a step), so the last
// pattern is kept rather than rebuilt per call.
let lastMasks: Masks | null = null;
let lastSize = -1;
let lastPattern: RegExp | null = null;

function patternFor(masks: Masks): RegExp | null {
  if (masks === lastMasks && masks.size === lastSize) return lastPattern;
  const texts = [...masks.keys()].filter((s) => typeof s === 'string' && s.length >= MIN_REDACTED_LENGTH);
  // Longest first: alternation takes the first alternative that matches, so a secret that
  // contains another is masked whole instead of leaving its tail visible.
  texts.sort((a, b) => b.length - a.length);
  lastMasks = masks;
  lastSize = masks.size;
  lastPattern = texts.length === 0 ? null : new RegExp(texts.map(escapeRegExp).join('|'), 'g');
  return lastPattern;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A deep copy of `value` (plain objects and arrays) in which every occurrence of every text of
 * `masks` (of at least 4 characters) in any string, object keys included, reads as its mask.
 */
export function maskTexts<T>(value: T, masks: Masks): T {
  const pattern = patternFor(masks);
  return copy(value, pattern, masks) as T;
}

/**
 * A deep copy of `value` (plain objects and arrays) in which every occurrence of every secret
 * value (of at least 4 characters) in any string, object keys included, reads `***`.
 */
export function redactSecrets<T>(value: T, secretValues: readonly string[]): T {
  // The same list again (every stored item of one Octopus delivery) keeps the same masks, so
  // patternFor finds its pattern instead of building it anew.
  if (!sameList(lastValues, secretValues)) {
    lastValues = [...secretValues];
    lastValueMasks = new Map(secretValues.map((s) => [s, REDACTED]));
  }
  return maskTexts(value, lastValueMasks);
}

let lastValues: readonly string[] | null = null;
let lastValueMasks: Masks = new Map();

function sameList(a: readonly string[] | null, b: readonly string[]): boolean {
  return a !== null && a.length === b.length && a.every((v, i) => v === b[i]);
}

function copy(value: unknown, pattern: RegExp | null, masks: Masks): unknown {
  if (typeof value === 'string') return pattern ? value.replace(pattern, (found) => masks.get(found) ?? REDACTED) : value;
  if (Array.isArray(value)) return value.map((item) => copy(item, pattern, masks));
  if (value !== null && typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) return value; // Dates, buffers: not ours to rewrite
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[copy(key, pattern, masks) as string] = copy(item, pattern, masks);
    return out;
  }
  return value;
}
