import { describe, expect, it } from 'vitest';
import { formatSeconds } from './metric-format';

describe('formatSeconds', () => {
  it('names a duration in its largest unit, with a decimal only where it says something', () => {
    expect(formatSeconds(42)).toBe('42 s');
    expect(formatSeconds(150)).toBe('3 min');
    expect(formatSeconds(7200)).toBe('2 h');
    expect(formatSeconds(5400)).toBe('1.5 h');
  });

  it('counts days by English plural rules', () => {
    expect(formatSeconds(86_400)).toBe('1 day');
    expect(formatSeconds(86_400 * 1.5)).toBe('1.5 days');
    expect(formatSeconds(86_400 * 3)).toBe('3 days');
  });
});
