import { describe, expect, it } from 'vitest';
import { Budget } from './budget.js';
import { celSyntaxError, compileCondition } from './condition.js';

const scope = (data: unknown, event: unknown = { type: 'deploy.recorded', data }) => ({ event, data });

describe('compileCondition', () => {
  it('is true or false as the expression says', () => {
    const cond = compileCondition('data.commit.branch == "main"');
    expect(cond(scope({ commit: { branch: 'main' } }))).toBe(true);
    expect(cond(scope({ commit: { branch: 'dev' } }))).toBe(false);
  });

  it('is false when a field is missing instead of throwing', () => {
    const cond = compileCondition('data.commit.branch == "main"');
    expect(cond(scope({}))).toBe(false);
    expect(cond(scope(null))).toBe(false);
  });

  it('is false on a type error at evaluation', () => {
    expect(compileCondition('data.name > 3')(scope({ name: 'x' }))).toBe(false);
  });

  it('is false for a result that is not exactly true', () => {
    expect(compileCondition('data.count')(scope({ count: 1 }))).toBe(false);
    expect(compileCondition('data.flag')(scope({ flag: true }))).toBe(true);
  });

  it('compares JSON numbers with int and double literals as a reader expects', () => {
    const one = scope({ count: 1, ratio: 0.75 });
    expect(compileCondition('data.count == 1')(one)).toBe(true);
    expect(compileCondition('data.count > 0.5')(one)).toBe(true);
    expect(compileCondition('data.count == 1.0')(one)).toBe(true);
    expect(compileCondition('data.count + 1 == 2')(one)).toBe(true);
    expect(compileCondition('data.count < 1')(one)).toBe(false);
    expect(compileCondition('data.ratio > 0.5')(one)).toBe(true);
    expect(compileCondition('data.ratio < 1')(one)).toBe(true);
    expect(compileCondition('data.ratio == 0.75')(one)).toBe(true);
    expect(compileCondition('data.count in [1, 2, 3]')(one)).toBe(true);
    expect(compileCondition('size(data.items) == data.count')(scope({ items: ['a'], count: 1 }))).toBe(true);
    expect(compileCondition('data.n == -3')(scope({ n: -3 }))).toBe(true);
  });

  it('sees the whole event', () => {
    const cond = compileCondition('event.type.startsWith("deploy.") && has(data.service)');
    expect(cond(scope({ service: 'cart' }))).toBe(true);
    expect(cond(scope({}))).toBe(false);
  });

  it('does not alter the event it is given', () => {
    const data = { count: 1, nested: { list: [2] } };
    compileCondition('data.count == 1')(scope(data));
    expect(data).toEqual({ count: 1, nested: { list: [2] } });
  });

  it('throws on a syntax error', () => {
    expect(() => compileCondition('data.count ==')).toThrow();
  });
});

describe('matches (RE2)', () => {
  it('matches any part of the text, in both the receiver and the global form', () => {
    expect(compileCondition("data.v.matches('^v[0-9]+')")(scope({ v: 'v12-rc' }))).toBe(true);
    expect(compileCondition("data.v.matches('rc')")(scope({ v: 'v12-rc' }))).toBe(true);
    expect(compileCondition("matches(data.v, '^v[0-9]+$')")(scope({ v: 'v12-rc' }))).toBe(false);
    expect(compileCondition("data.tags.exists(t, t.matches('(?i)^PROD'))")(scope({ tags: ['dev', 'production'] }))).toBe(true);
  });

  it('runs in linear time where a backtracking engine would never finish', () => {
    const cond = compileCondition("data.v.matches('^(a+)+$')");
    expect(cond(scope({ v: `${'a'.repeat(100_000)}!` }))).toBe(false);
    expect(cond(scope({ v: 'a'.repeat(100_000) }))).toBe(true);
  });

  it('is false for a pattern from the data that is not RE2', () => {
    expect(compileCondition('data.v.matches(data.p)')(scope({ v: 'aa', p: '(a)\\1' }))).toBe(false);
    expect(compileCondition('data.v.matches(data.p)')(scope({ v: 'aa', p: '(a)' }))).toBe(true);
  });
});

describe('evaluation budget', () => {
  const list = `[${Array.from({ length: 30 }, (_, i) => i).join(', ')}]`;
  const nested = `${list}.exists(a, ${list}.exists(b, ${list}.exists(c, ${list}.exists(d, d < 0))))`;

  it('cuts an expression after its step cap, false, saying why on the budget', () => {
    const budget = new Budget('one dry run', { celSteps: 10_000 });
    expect(compileCondition(nested)(scope({}), budget)).toBe(false);
    expect(budget.interruptions).toEqual(['the expression took more than 10,000 evaluation steps']);
    // The step cap is per expression: the next one under the same budget starts afresh.
    expect(compileCondition('data.x == 1')(scope({ x: 1 }), budget)).toBe(true);
  });

  it('lets an expression within its step cap finish', () => {
    const budget = new Budget('one dry run', { celSteps: 10_000_000 });
    expect(compileCondition(`${list}.exists(a, ${list}.exists(b, b == 29 && a == 29))`)(scope({}), budget)).toBe(true);
    expect(budget.interruptions).toEqual([]);
  });

  it('refuses to build a text past the output cap, by join or by +', () => {
    const thousand = `[${Array.from({ length: 1000 }, (_, i) => i).join(', ')}]`;
    const big = scope({ big: 'x'.repeat(2000) });
    for (const expression of [
      `${thousand}.map(i, data.big).join().size() > 0`,
      `${thousand}.map(i, data.big).join(",").size() > 0`,
      '(data.big + data.big + data.big).size() > 0',
    ]) {
      const budget = new Budget('one dry run', { outputChars: 5000 });
      expect(compileCondition(expression)(big, budget)).toBe(false);
      expect(budget.interruptions).toEqual(['the expression built a text longer than 5,000 characters']);
    }
    expect(compileCondition(`['a', 'b'].join('-') == 'a-b' && (data.big + 'y').size() == 2001`)(big)).toBe(true);
  });

  it('stops every condition once the shared time is spent', () => {
    let now = 0;
    const budget = new Budget("one event's dispatch", { timeMs: 100 }, () => now);
    expect(compileCondition('data.x == 1')(scope({ x: 1 }), budget)).toBe(true);
    now = 101;
    expect(compileCondition('data.x == 1')(scope({ x: 1 }), budget)).toBe(false);
    expect(budget.interruptions).toEqual(["expressions and templates took longer than 100 ms in one event's dispatch"]);
  });
});

describe('celSyntaxError', () => {
  it('is null for a valid expression', () => {
    expect(celSyntaxError('data.commit.branch == "main" && data.count > 0.5')).toBeNull();
  });

  it('describes a syntax error on one line with its column', () => {
    const error = celSyntaxError('data.count ==');
    expect(error).toMatch(/^Unexpected token: EOF \(column \d+\)$/);
  });

  it('refuses variables other than event and data', () => {
    expect(celSyntaxError('dta.count == 1')).toMatch(/Unknown variable: dta/);
  });

  it('refuses a literal pattern RE2 cannot run, with its column, unless told to skip patterns', () => {
    expect(celSyntaxError("data.v.matches('(a)\\\\1')")).toBe('invalid RE2 regular expression: invalid escape sequence: `\\1` (column 16)');
    expect(celSyntaxError("data.ok && matches(data.v, '(?=a)')")).toBe(
      'invalid RE2 regular expression: invalid or unsupported Perl syntax: `(?=` (column 28)',
    );
    expect(celSyntaxError("data.v.matches('(?=a)')", { patterns: false })).toBeNull();
  });

  it('names matches as written in type errors', () => {
    expect(celSyntaxError("1.matches('x')")).toMatch(/found no matching overload for 'int\.matches\(string\)'/);
  });
});
