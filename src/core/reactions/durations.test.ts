import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY, backoffDelayMs, parseDuration } from './durations.js';
import type { RetryPolicy } from './durations.js';

describe('parseDuration', () => {
  it.each([
    ['2s', 2000],
    ['500ms', 500],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['1h30m', 5_400_000],
    ['1h 30m', 5_400_000],
    ['1m30s500ms', 90_500],
    ['1.5s', 1500],
    [' 2s ', 2000],
    ['1500', 1500],
    [0, 0],
    [250, 250],
  ])('reads %j as %d ms', (raw, ms) => {
    expect(parseDuration(raw)).toBe(ms);
  });

  it.each(['', '   ', '2x', 's', '-1s', '30m1h', '1h1h', '2 seconds', '1e3', 'ms500', 'abc', '2s5'])('refuses %j', (raw) => {
    expect(parseDuration(raw)).toBeNull();
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY, null, undefined, true, {}, ['2s']])('refuses %j', (raw) => {
    expect(parseDuration(raw)).toBeNull();
  });
});

describe('backoffDelayMs', () => {
  const exp: RetryPolicy = { attempts: 10, backoff: 'exponential', initialMs: 1000, maxMs: 10_000 };

  it('doubles from initial, with equal jitter keeping at least half of each delay', () => {
    for (const [attempt, full] of [
      [1, 1000],
      [2, 2000],
      [3, 4000],
      [4, 8000],
    ] as const) {
      expect(backoffDelayMs(exp, attempt, () => 0)).toBe(full / 2);
      expect(backoffDelayMs(exp, attempt, () => 0.5)).toBe(full * 0.75);
      expect(backoffDelayMs(exp, attempt, () => 0.999999)).toBe(full);
    }
  });

  it('caps at max however many attempts failed', () => {
    for (const attempt of [5, 10, 100, 1000]) {
      const low = backoffDelayMs(exp, attempt, () => 0);
      const high = backoffDelayMs(exp, attempt, () => 0.999999);
      expect(low).toBe(5000);
      expect(high).toBe(10_000);
    }
  });

  it('stays within [delay/2, delay] with the real random source', () => {
    for (let i = 0; i < 200; i++) {
      const d = backoffDelayMs(exp, 3);
      expect(d).toBeGreaterThanOrEqual(2000);
      expect(d).toBeLessThanOrEqual(4000);
    }
  });

  it('keeps a fixed delay fixed, jittered the same way', () => {
    const fixed: RetryPolicy = { attempts: 5, backoff: 'fixed', initialMs: 3000, maxMs: 300_000 };
    expect(backoffDelayMs(fixed, 1, () => 0)).toBe(1500);
    expect(backoffDelayMs(fixed, 7, () => 0)).toBe(1500);
    expect(backoffDelayMs(fixed, 7, () => 0.999999)).toBe(3000);
  });

  it('never returns 0 for a positive initial delay', () => {
    expect(backoffDelayMs({ ...DEFAULT_RETRY, initialMs: 2 }, 1, () => 0)).toBeGreaterThan(0);
  });

  it('has the documented defaults', () => {
    expect(DEFAULT_RETRY).toEqual({ attempts: 3, backoff: 'exponential', initialMs: 1000, maxMs: 300_000 });
  });
});
