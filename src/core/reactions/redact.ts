/** Secrets shorter than this are not redacted: masking every "abc" in a log would hide more than it protects. */
export const MIN_REDACTED_LENGTH = 4;
export const REDACTED = '***';

// Callers redact many values against the same secret list (every log line of a step), so the
// last pattern is kept rather than rebuilt per call.
let lastValues: readonly string[] | null = null;
let lastPattern: RegExp | null = null;

function sameList(a: readonly string[] | null, b: readonly string[]): boolean {
  return a !== null && a.length === b.length && a.every((v, i) => v === b[i]);
}

function patternFor(secretValues: readonly string[]): RegExp | null {
  if (sameList(lastValues, secretValues)) return lastPattern;
  const values = [...new Set(secretValues.filter((s) => typeof s === 'string' && s.length >= MIN_REDACTED_LENGTH))];
  // Longest first: alternation takes the first alternative that matches, so a secret that
  // contains another is masked whole instead of leaving its tail visible.
  values.sort((a, b) => b.length - a.length);
  lastValues = [...secretValues];
  lastPattern = values.length === 0 ? null : new RegExp(values.map(escapeRegExp).join('|'), 'g');
  return lastPattern;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A deep copy of `value` (plain objects and arrays) in which every occurrence of every secret
 * value (of at least 4 characters) in any string, object keys included, reads `***`.
 */
export function redactSecrets<T>(value: T, secretValues: readonly string[]): T {
  const pattern = patternFor(secretValues);
  return copy(value, pattern) as T;
}

function copy(value: unknown, pattern: RegExp | null): unknown {
  if (typeof value === 'string') return pattern ? value.replace(pattern, REDACTED) : value;
  if (Array.isArray(value)) return value.map((item) => copy(item, pattern));
  if (value !== null && typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) return value; // Dates, buffers: not ours to rewrite
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[copy(key, pattern) as string] = copy(item, pattern);
    return out;
  }
  return value;
}
