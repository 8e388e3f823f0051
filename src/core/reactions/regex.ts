import { RE2JS } from 're2js';
import { errorMessage } from '../error-message.js';

/**
 * Regular expressions for CEL's `matches`, with RE2 semantics as the CEL specification requires.
 * RE2 (here re2js, a pure JavaScript port) matches in time linear in the input: no pattern and
 * no input can make it backtrack, where JavaScript's own RegExp takes seconds on `^(a+)+$` over
 * 30 characters and doubles with each one more. RE2 has no backreferences and no lookaround;
 * such patterns are refused with RE2's own message.
 */

/** Longer patterns are refused: compiling costs time in proportion to the pattern. */
const MAX_PATTERN_LENGTH = 2000;

// Conditions run for every event with the same few patterns, so compiling once matters. A Map
// keeps insertion order: re-inserting on a hit makes it a small LRU.
const CACHE_LIMIT = 500;
const compiled = new Map<string, RE2JS>();

/** The compiled pattern; throws an Error with a one-line message when it is not valid RE2. */
function compileRegex(pattern: string): RE2JS {
  const hit = compiled.get(pattern);
  if (hit) {
    compiled.delete(pattern);
    compiled.set(pattern, hit);
    return hit;
  }
  if (pattern.length > MAX_PATTERN_LENGTH) {
    throw new Error(`regular expression longer than ${MAX_PATTERN_LENGTH} characters`);
  }
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern);
  } catch (err) {
    // re2js says `error parsing regexp: invalid or unsupported Perl syntax: \`(?=\``.
    const message = err instanceof Error ? err.message.replace(/^error parsing regexp: /, '') : String(err);
    throw new Error(`invalid RE2 regular expression: ${message}`, { cause: err });
  }
  if (compiled.size >= CACHE_LIMIT) compiled.delete(compiled.keys().next().value as string);
  compiled.set(pattern, re);
  return re;
}

/** CEL `text.matches(pattern)`: true when the pattern matches any part of the text. */
export function regexMatches(text: string, pattern: string): boolean {
  return compileRegex(pattern).test(text);
}

/** Why `pattern` is not a valid RE2 expression, or null when it is. */
export function regexProblem(pattern: string): string | null {
  try {
    compileRegex(pattern);
    return null;
  } catch (err) {
    return errorMessage(err);
  }
}
