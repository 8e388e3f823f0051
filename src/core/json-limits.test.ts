import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, rawBodyProblem, valueProblem } from './json-limits.js';

const nested = (levels: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < levels; i++) v = [v];
  return v;
};

describe('valueProblem', () => {
  it('accepts ordinary JSON, up to the depth limit', () => {
    expect(valueProblem({ a: [1, 'x', null, true, { b: 2.5 }] }, 'the body')).toBeNull();
    expect(valueProblem(nested(MAX_JSON_DEPTH), 'the body')).toBeNull();
  });

  it('refuses NUL in a value or a key, nesting past the limit, and numbers out of range', () => {
    expect(valueProblem({ a: ['x\u0000'] }, 'the body')?.code).toBe('request.nul_character');
    expect(valueProblem({ 'a\u0000': 1 }, 'the body')?.code).toBe('request.nul_character');
    expect(valueProblem(nested(MAX_JSON_DEPTH + 1), 'the body')?.code).toBe('request.too_deep');
    expect(valueProblem(nested(100_000), 'the body')?.code).toBe('request.too_deep');
    expect(valueProblem({ limit: Infinity }, 'the query string')).toEqual({
      code: 'request.invalid',
      message: 'the query string holds a number out of range (Infinity)',
    });
  });
});

describe('rawBodyProblem', () => {
  const raw = (text: string) => Buffer.from(text, 'utf8');

  it('refuses a NUL byte in any body and a \\u0000 escape in JSON, but not an escaped backslash before u0000', () => {
    expect(rawBodyProblem(raw('a\u0000b'), false)?.code).toBe('request.nul_character');
    expect(rawBodyProblem(raw('{"a":"\\u0000"}'), true)?.code).toBe('request.nul_character');
    expect(rawBodyProblem(raw('{"a":"\\\\u0000"}'), true)).toBeNull();
    expect(rawBodyProblem(raw('{"a":"\\\\\\u0000"}'), true)?.code).toBe('request.nul_character');
    expect(rawBodyProblem(raw('\\u0000'), false)).toBeNull();
  });

  it('counts nesting outside strings only', () => {
    const deep = `${'['.repeat(MAX_JSON_DEPTH + 1)}${']'.repeat(MAX_JSON_DEPTH + 1)}`;
    expect(rawBodyProblem(raw(deep), true)?.code).toBe('request.too_deep');
    expect(rawBodyProblem(raw(JSON.stringify({ a: '['.repeat(500) })), true)).toBeNull();
    expect(rawBodyProblem(raw(JSON.stringify(nested(MAX_JSON_DEPTH - 1))), true)).toBeNull();
  });
});
