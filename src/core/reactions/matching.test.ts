import { describe, expect, it } from 'vitest';
import { TriggerIndex, compileTrigger, filterMatches, getPath, globMatches, isValidGlob } from './matching.js';

describe('globMatches', () => {
  it.each([
    ['deploy.recorded', 'deploy.recorded', true],
    ['deploy.recorded', 'deploy.recordedx', false],
    ['deploy.*', 'deploy.recorded', true],
    ['deploy.*', 'deploy.a.b', true],
    ['deploy.*', 'deployx', false],
    ['deploy.*', 'deploy', false],
    ['deploy.*', 'xdeploy.recorded', false],
    ['octopus.deployment.*', 'octopus.deployment.succeeded', true],
    ['octopus.*.succeeded', 'octopus.deployment.succeeded', true],
    ['octopus.*.succeeded', 'octopus.deployment.failed', false],
    ['*', 'anything.at.all', true],
    ['*.failed', 'octopus.deployment.failed', true],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['a?c', 'abbc', false],
    ['a*b*c', 'aXbYbZc', true],
    ['a*b*c', 'aXbYbZ', false],
  ])('%s against %s is %s', (pattern, type, expected) => {
    expect(globMatches(pattern, type)).toBe(expected);
  });

  it('treats everything but * and ? literally (no regex meaning for dots)', () => {
    expect(globMatches('deploy.x', 'deployXx')).toBe(false);
  });

  it('stays fast on pathological patterns', () => {
    const started = performance.now();
    expect(globMatches('*a*a*a*a*a*a*a*a*a*a*b', 'a'.repeat(180))).toBe(false);
    expect(performance.now() - started).toBeLessThan(200);
  });
});

describe('isValidGlob', () => {
  it.each(['deploy.recorded', 'octopus.deployment.*', '*', 'webhook.my-hook_1', 'a?c'])('accepts %s', (p) => {
    expect(isValidGlob(p)).toBe(true);
  });
  it.each(['', 'deploy.', '.deploy', 'a..b', 'deploy recorded', 'deploy.[ab]', 'a/b', 'x'.repeat(201)])('refuses %j', (p) => {
    expect(isValidGlob(p)).toBe(false);
  });
});

describe('TriggerIndex', () => {
  it('finds exact and glob listeners, exact first, without false positives', () => {
    const index = new TriggerIndex<string>();
    index.add('deploy.recorded', 'exact');
    index.add('deploy.*', 'glob');
    index.add('octopus.*', 'octopus');
    index.add('deploy.recorded', 'exact2');
    expect(index.size).toBe(4);
    expect(index.match('deploy.recorded')).toEqual(['exact', 'exact2', 'glob']);
    expect(index.match('deploy.deleted')).toEqual(['glob']);
    expect(index.match('deployx')).toEqual([]);
    expect(index.match('octopus.deployment.failed')).toEqual(['octopus']);
  });

  it('returns a fresh array each time', () => {
    const index = new TriggerIndex<number>();
    index.add('a', 1);
    index.match('a').push(2);
    expect(index.match('a')).toEqual([1]);
  });
});

describe('getPath', () => {
  const data = { service: { name: 'cart' }, list: [{ id: 7 }], zero: 0 };
  it('walks dotted paths, array indexes included', () => {
    expect(getPath(data, 'service.name')).toBe('cart');
    expect(getPath(data, 'list.0.id')).toBe(7);
    expect(getPath(data, 'zero')).toBe(0);
  });
  it('is undefined when absent, and never reaches into prototypes', () => {
    expect(getPath(data, 'service.nope')).toBeUndefined();
    expect(getPath(data, 'zero.x')).toBeUndefined();
    expect(getPath(null, 'a')).toBeUndefined();
    expect(getPath(data, 'constructor')).toBeUndefined();
    expect(getPath(data, 'service.__proto__')).toBeUndefined();
  });
});

describe('filterMatches', () => {
  const data = {
    environment: 'Production',
    service: { name: 'shopping_cart' },
    deployNumber: '234',
    count: 3,
    ok: true,
    gone: null,
    tags: ['eu', 'prod'],
  };

  it('matches equality and refuses a different value', () => {
    expect(filterMatches({ environment: ['Production'] }, data)).toBe(true);
    expect(filterMatches({ environment: ['Staging'] }, data)).toBe(false);
  });
  it('matches any of several values', () => {
    expect(filterMatches({ environment: ['production', 'Production'] }, data)).toBe(true);
    expect(filterMatches({ environment: ['production', 'staging'] }, data)).toBe(false);
  });
  it('needs every key to match', () => {
    expect(filterMatches({ environment: ['Production'], 'service.name': ['shopping_cart'] }, data)).toBe(true);
    expect(filterMatches({ environment: ['Production'], 'service.name': ['other'] }, data)).toBe(false);
  });
  it('follows dotted paths', () => {
    expect(filterMatches({ 'service.name': ['shopping_cart'] }, data)).toBe(true);
    expect(filterMatches({ 'service.nope': ['shopping_cart'] }, data)).toBe(false);
  });
  it('compares numbers and strings as text', () => {
    expect(filterMatches({ deployNumber: [234] }, data)).toBe(true);
    expect(filterMatches({ count: ['3'] }, data)).toBe(true);
    expect(filterMatches({ count: [4] }, data)).toBe(false);
    expect(filterMatches({ ok: [true] }, data)).toBe(true);
    expect(filterMatches({ ok: [false] }, data)).toBe(false);
  });
  it('lets null match null or an absent field, and nothing else', () => {
    expect(filterMatches({ gone: [null] }, data)).toBe(true);
    expect(filterMatches({ missing: [null] }, data)).toBe(true);
    expect(filterMatches({ environment: [null] }, data)).toBe(false);
    expect(filterMatches({ gone: ['null'] }, data)).toBe(false);
    expect(filterMatches({ missing: [''] }, data)).toBe(false);
  });
  it('matches a list field when any element matches', () => {
    expect(filterMatches({ tags: ['prod'] }, data)).toBe(true);
    expect(filterMatches({ tags: ['us'] }, data)).toBe(false);
  });
  it('never matches an object field against a scalar', () => {
    expect(filterMatches({ service: ['[object Object]'] }, data)).toBe(false);
  });
  it('matches anything with an empty filter', () => {
    expect(filterMatches({}, undefined)).toBe(true);
  });
});

describe('compileTrigger', () => {
  const on = { event: 'deploy.*', filter: { environment: ['production'] }, if: 'data.commit.branch == "main"' };
  const trigger = compileTrigger(on, []);
  const data = { environment: 'production', commit: { branch: 'main' } };

  it('needs type, filter and condition to agree', () => {
    expect(trigger({ type: 'deploy.recorded', data })).toBe(true);
    expect(trigger({ type: 'deployx', data })).toBe(false);
    expect(trigger({ type: 'deploy.recorded', data: { ...data, environment: 'staging' } })).toBe(false);
    expect(trigger({ type: 'deploy.recorded', data: { ...data, commit: { branch: 'dev' } } })).toBe(false);
    expect(trigger({ type: 'deploy.recorded', data: { environment: 'production' } })).toBe(false);
  });

  it('compares an exact type exactly and gives the condition the whole event', () => {
    const exact = compileTrigger({ event: 'deploy.recorded', filter: {}, if: 'event.type == "deploy.recorded"' }, []);
    expect(exact({ type: 'deploy.recorded', data: {} })).toBe(true);
    expect(exact({ type: 'deploy.recorded.x', data: {} })).toBe(false);
  });

  it('throws on an invalid condition', () => {
    expect(() => compileTrigger({ event: 'a', filter: {}, if: '1 ==' }, [])).toThrow();
  });
});
