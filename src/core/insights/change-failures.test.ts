import { describe, expect, it } from 'vitest';
import type { DeployFact } from './change-failures.js';
import { classify } from './change-failures.js';
import { drilldownRows } from './dora.js';

const HOUR = 3_600_000;
const options = { incidentWindowMs: HOUR, rollbackLookbackMs: 90 * 24 * HOUR, productionKeys: new Set(['production']) };

function fact(id: string, at: string, sha: string, extra: Partial<DeployFact> = {}): DeployFact {
  return {
    id,
    serviceId: 's1',
    serviceName: 'cart',
    environment: 'production',
    envKey: 'production',
    deployedAt: at,
    status: 'succeeded',
    deployNumber: id,
    sha,
    commitAt: at,
    marked: null,
    ...extra,
  };
}

const marked = { reason: 'broke checkout', markedAt: '2025-03-03T12:00:00.000Z', markedBy: 'ops' };

describe('change failures of a marked deploy', () => {
  // d2 reported succeeded and was marked failed: the store reads it `failed`, keeping `succeeded` as reported.
  const deploys = [
    fact('d1', '2025-03-03T09:00:00.000Z', 'a1'),
    fact('d2', '2025-03-03T10:00:00.000Z', 'a2', { status: 'failed', reportedStatus: 'succeeded', marked }),
    fact('d3', '2025-03-03T11:00:00.000Z', 'a1'),
  ];
  const classified = classify(deploys, [], options);
  const items = [...classified.values()];

  it('counts it once: a failure (not by the status rule: its source reported success), never a successful deploy', () => {
    expect(classified.get('d2')!.failures.map((f) => f.rule)).toEqual(['marked', 'rollback']);
    expect(drilldownRows('deploymentFrequency', items).map((r) => r.item.deploy.id)).toEqual(['d1', 'd3']);
    expect(drilldownRows('leadTime', items).map((r) => r.item.deploy.id)).toEqual(['d1', 'd3']);
    const cfr = drilldownRows('changeFailureRate', items);
    expect(cfr.map((r) => [r.item.deploy.id, r.counted])).toEqual([
      ['d1', false],
      ['d2', true],
      ['d3', false],
    ]);
  });

  it('still sees what was live for rollbacks, and is restored by the next successful deploy, not by itself', () => {
    // d3 re-deploys a1, deployed before d2, which was live until then: a rollback of d2.
    expect(classified.get('d2')!.failures.find((f) => f.rule === 'rollback')?.rolledBackBy).toBe('d3');
    expect(classified.get('d2')!.restore).toEqual({ at: '2025-03-03T11:00:00.000Z', by: 'deploy', id: 'd3' });
  });

  it('applies the status rule to what the source reported, so a reported failure that is also marked has both rules', () => {
    const both = classify(
      [fact('d9', '2025-03-04T09:00:00.000Z', 'a9', { status: 'failed', reportedStatus: 'failed', marked })],
      [],
      options,
    );
    expect(both.get('d9')!.failures.map((f) => f.rule)).toEqual(['status', 'marked']);
    const reported = classify([fact('d8', '2025-03-04T09:00:00.000Z', 'a8', { status: 'failed' })], [], options);
    expect(reported.get('d8')!.failures.map((f) => f.rule)).toEqual(['status']);
  });
});
