import { describe, expect, it } from 'vitest';
import { bandOf, DORA_2024 } from './dora-bands.js';
import { bucketsOf, percentile } from './dora.js';
import { assignTiers } from '../environments.js';

describe('DORA 2024 bands', () => {
  it('reads each metric as the 2024 table publishes it', () => {
    expect(bandOf(DORA_2024, 'leadTime', 3600)).toBe('elite');
    expect(bandOf(DORA_2024, 'leadTime', 86_400)).toBe('high');
    expect(bandOf(DORA_2024, 'leadTime', 8 * 86_400)).toBe('medium');
    expect(bandOf(DORA_2024, 'leadTime', 200 * 86_400)).toBe('low');
    expect(bandOf(DORA_2024, 'deploymentFrequency', 3)).toBe('elite');
    expect(bandOf(DORA_2024, 'deploymentFrequency', 1)).toBe('high');
    expect(bandOf(DORA_2024, 'deploymentFrequency', 1 / 10)).toBe('medium');
    expect(bandOf(DORA_2024, 'deploymentFrequency', 0)).toBe('low');
    // Medium's published fail rate (10%) is below high's (20%).
    expect(bandOf(DORA_2024, 'changeFailureRate', 0.05)).toBe('elite');
    expect(bandOf(DORA_2024, 'changeFailureRate', 0.08)).toBe('medium');
    expect(bandOf(DORA_2024, 'changeFailureRate', 0.15)).toBe('high');
    expect(bandOf(DORA_2024, 'changeFailureRate', 0.4)).toBe('low');
    expect(bandOf(DORA_2024, 'timeToRestore', 1800)).toBe('elite');
    expect(bandOf(DORA_2024, 'timeToRestore', 7200)).toBe('high');
    expect(bandOf(DORA_2024, 'timeToRestore', 3 * 86_400)).toBe('low');
    expect(bandOf(DORA_2024, 'leadTime', null)).toBeNull();
  });
});

describe('percentiles and buckets', () => {
  it('takes nearest-rank percentiles, always an observed value', () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4], 90)).toBe(4);
    expect(percentile([5], 90)).toBe(5);
    expect(percentile([], 50)).toBeNull();
  });
  it('cuts calendar buckets (weeks from Monday, UTC) to the window', () => {
    expect(bucketsOf('2025-03-05T12:00:00.000Z', '2025-03-18T00:00:00.000Z', 'week')).toEqual([
      { key: '2025-03-03', start: '2025-03-05T12:00:00.000Z', end: '2025-03-10T00:00:00.000Z' },
      { key: '2025-03-10', start: '2025-03-10T00:00:00.000Z', end: '2025-03-17T00:00:00.000Z' },
      { key: '2025-03-17', start: '2025-03-17T00:00:00.000Z', end: '2025-03-18T00:00:00.000Z' },
    ]);
    expect(bucketsOf('2025-01-31T00:00:00.000Z', '2025-03-01T00:00:00.000Z', 'month').map((b) => b.key)).toEqual([
      '2025-01-01',
      '2025-02-01',
    ]);
  });
});

describe('environment tiers', () => {
  const seen = (key: string, firstSeenAt: string) => ({ key, name: key, spellings: [key], firstSeenAt });
  it('makes the first production-like name production until one is set', () => {
    const envs = [
      seen('prod-eu', '2025-01-02'),
      seen('production', '2025-01-01'),
      seen('preprod', '2024-01-01'),
      seen('dev', '2024-01-01'),
      seen('batch', '2024-01-01'),
    ];
    const inferred = assignTiers(envs, new Map());
    expect(Object.fromEntries([...inferred].map(([k, v]) => [k, v.tier]))).toEqual({
      'prod-eu': 'other',
      production: 'production',
      preprod: 'staging',
      dev: 'development',
      batch: 'other',
    });
    const set = assignTiers(envs, new Map([['prod-eu', 'production' as const]]));
    expect(set.get('prod-eu')).toEqual({ tier: 'production', tierSource: 'set' });
    expect(set.get('production')!.tier).toBe('other');
  });
});
