import { MIN_REDACTED_LENGTH } from './redact.js';
import { isPlainObject, joinPath } from './templates.js';

/**
 * What stands for a secret in everything Shipline stores or shows: dry runs, a step's recorded
 * input, emitted events, recorded deploys. Templates are rendered against these placeholders, so
 * a filter applied to a secret (`| base64_encode`, `| slice: 0, 3`) transforms the placeholder,
 * never the value; only the rendering handed to an action that sends holds real values.
 */
export function secretPlaceholder(name: string): string {
  return `«secret:${name}»`;
}

/** What a derived value that cannot be named (a slice, an encoding) reads as in records. */
export const ANONYMOUS_PLACEHOLDER = '«secret»';

/** The `secrets` scope of a template rendering that holds no value: each name → its placeholder. */
export function placeholderSecrets(names: Iterable<string>): Record<string, string> {
  const scope: Record<string, string> = {};
  for (const name of names) scope[name] = secretPlaceholder(name);
  return scope;
}

/**
 * Text to mask in records → what it reads as instead, for a rendering with real secrets (`real`)
 * compared with the same rendering with placeholders (`shown`): every string leaf that differs
 * (the whole `Basic dXNlcjpwYXNz`), its differing middle once the common start and end are cut
 * (the Base64 alone, should a target echo only that), and both as JSON string contents (how a
 * JSON body carries them).
 */
export function derivedTexts(real: unknown, shown: unknown): Map<string, string> {
  const masks = new Map<string, string>();
  const add = (text: string, as: string) => {
    if (text.length < MIN_REDACTED_LENGTH || masks.has(text)) return;
    masks.set(text, as);
    const json = JSON.stringify(text).slice(1, -1);
    if (json !== text && !masks.has(json)) masks.set(json, as);
  };
  eachLeafPair(real, shown, '', (r, s) => {
    if (r === s) return;
    add(r, s);
    const core = differingMiddle(r, s);
    if (core !== r) add(core, ANONYMOUS_PLACEHOLDER);
  });
  return masks;
}

/** `r` without the start and end it shares with `s`. */
function differingMiddle(r: string, s: string): string {
  let start = 0;
  while (start < r.length && start < s.length && r[start] === s[start]) start++;
  let end = 0;
  while (end < r.length - start && end < s.length - start && r[r.length - 1 - end] === s[s.length - 1 - end]) end++;
  return r.slice(start, r.length - end);
}

function eachLeafPair(real: unknown, shown: unknown, path: string, visit: (real: string, shown: string, path: string) => void): void {
  if (typeof real === 'string') {
    // A leaf the placeholder rendering left unconverted (a number field) compares as text.
    visit(real, typeof shown === 'string' ? shown : ANONYMOUS_PLACEHOLDER, path);
  } else if (Array.isArray(real)) {
    real.forEach((item, i) => eachLeafPair(item, Array.isArray(shown) ? shown[i] : undefined, `${path}[${i}]`, visit));
  } else if (isPlainObject(real)) {
    const other = isPlainObject(shown) ? shown : {};
    for (const [key, item] of Object.entries(real)) eachLeafPair(item, other[key], joinPath(path, key), visit);
  } else if (real !== undefined && real !== null && typeof real !== 'object' && String(real) !== String(shown)) {
    // `port: "{{ secrets.PORT }}"` converted to a number still came from the secret.
    visit(String(real), ANONYMOUS_PLACEHOLDER, path);
  }
}
