import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDuration, sparkline } from '../src/cli/insights.js';
import { runCliInProcess as cli } from './support/cli-in-process.js';
import { DIALECTS } from './support/databases.js';
import type { EngineTestApp } from './support/runtime.js';
import { startEngineApp } from './support/runtime.js';

// The insights commands in process, against a real listening server: stdout is captured.

describe('sparklines and durations', () => {
  it('scales buckets to the largest value in plain ASCII, leaving buckets without a value blank', () => {
    expect(sparkline([0, 1, 2, 4, null, 4])).toBe('_-=# #');
    expect(sparkline([0, 0])).toBe('__');
    expect(sparkline([])).toBe('');
  });
  it('prints durations the way people say them', () => {
    expect(formatDuration(42)).toBe('42s');
    expect(formatDuration(5400)).toBe('1h 30m');
    expect(formatDuration(90_061)).toBe('1d 1h');
  });
});

describe.each(DIALECTS)('shipline insights and deploys mark-failed on %s', (dialect) => {
  let t: EngineTestApp;
  let base: string[];

  beforeAll(async () => {
    t = await startEngineApp(dialect, { listen: true });
    base = ['--url', t.url!, '--token', t.tokens.write];
    await t.api({ method: 'POST', url: '/api/v1/services', payload: { name: 'cart' } });
    await t.ingest({
      service: 'cart',
      dedup_id: 'c1',
      deployed_at: '2025-03-03T10:00:00Z',
      environment: 'production',
      commit: { sha: 'a1', authoring_date: '2025-03-03T09:00:00Z' },
    });
    await t.ingest({
      service: 'cart',
      dedup_id: 'c2',
      deployed_at: '2025-03-11T10:00:00Z',
      environment: 'production',
      commit: { sha: 'a2', authoring_date: '2025-03-11T08:00:00Z' },
    });
  });
  afterAll(() => t?.close());

  it('marks a deploy failed, then prints the DORA table with a sparkline per metric, or the JSON', async () => {
    const deploys = (await t.api({ method: 'GET', url: '/api/v1/deploys?service=cart' })).json<{
      items: Array<{ id: string; dedupId: string }>;
    }>().items;
    const c2 = deploys.find((d) => d.dedupId === 'c2')!.id;
    const marked = await cli([...base, 'deploys', 'mark-failed', c2, '--reason', 'broke checkout']);
    expect(marked.code).toBe(0);
    expect(marked.stdout).toContain('marked as failed: broke checkout');

    const table = await cli([...base, 'insights', 'dora', '--service', 'cart', '--from', '2025-03-03', '--to', '2025-03-17']);
    expect(table.code).toBe(0);
    const lines = table.stdout.split('\n');
    expect(lines[0]).toContain('production');
    const row = (label: string) => lines.find((l) => l.startsWith(label))!;
    // Two weekly buckets, one deploy each; the one of week two is marked failed, so it is no successful
    // deploy (frequency, lead time) but a failure, counted once; not restored yet.
    expect(row('deployment frequency')).toMatch(/0\.07\/day\s+medium\s+1 deploys \/ 14 days\s+#_$/);
    expect(row('lead time for changes')).toMatch(/1h \(p90 1h\)\s+elite\s+1 \/ 1 deploys\s+#$/);
    expect(row('change failure rate')).toMatch(/50\.0%\s+low\s+1 \/ 2 deploys\s+_#$/);
    expect(row('time to restore')).toMatch(/-\s+-\s+0 \/ 1 failures, 1 not restored yet$/);

    const json = await cli([
      ...base,
      'insights',
      'dora',
      '--service',
      'cart',
      '--from',
      '2025-03-03',
      '--to',
      '2025-03-17',
      '--bucket',
      'month',
      '--json',
    ]);
    const report = JSON.parse(json.stdout) as {
      bucket: string;
      summary: { changeFailureRate: { numerator: number; denominator: number } };
    };
    expect(report.bucket).toBe('month');
    expect(report.summary.changeFailureRate).toMatchObject({ numerator: 1, denominator: 2 });
  });

  it('fails with the API error for an unknown service', async () => {
    const stderr: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => {
      stderr.push(chunk);
      return true;
    }) as typeof process.stderr.write;
    try {
      expect((await cli([...base, 'insights', 'dora', '--service', 'nothing'])).code).not.toBe(0);
    } finally {
      process.stderr.write = write;
    }
    expect(stderr.join('')).toContain('service.not_found');
  });
});
