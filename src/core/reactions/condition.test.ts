import { describe, expect, it } from 'vitest';
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
});
