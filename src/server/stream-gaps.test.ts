import { describe, expect, it } from 'vitest';
import { StreamGaps } from './stream-gaps.js';

describe('StreamGaps', () => {
  it('looks for each skipped position until it is found or waited for long enough', () => {
    const gaps = new StreamGaps(1_000, 100);
    gaps.passed(10, 14, 0);
    expect(gaps.pending(0)).toEqual([11, 12, 13]);
    gaps.found(12);
    expect(gaps.pending(500)).toEqual([11, 13]);
    gaps.passed(14, 16, 600);
    expect(gaps.pending(1_000)).toEqual([15]);
    expect(gaps.pending(1_600)).toEqual([]);
  });

  it('keeps only the newest positions when too many were skipped', () => {
    const gaps = new StreamGaps(1_000, 3);
    gaps.passed(0, 100, 0);
    expect(gaps.pending(0)).toEqual([97, 98, 99]);
    gaps.passed(100, 102, 0);
    expect(gaps.pending(0)).toEqual([98, 99, 101]);
  });
});
