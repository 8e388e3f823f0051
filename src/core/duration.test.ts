import { describe, expect, it } from 'vitest';
import { requireDuration } from './duration.js';

describe('requireDuration', () => {
  it.each([
    [250, 250],
    ['250', 250],
    ['500ms', 500],
    ['10s', 10_000],
    ['1.5s', 1500],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
  ])('%s is %d ms', (value, ms) => {
    expect(requireDuration(value)).toBe(ms);
  });

  it.each([0, -5, Number.NaN, '', '10 seconds', '0s', 's', '30m1h'])('refuses %s', (value) => {
    expect(() => requireDuration(value)).toThrow(/not a duration/);
  });
});
