import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDeployPayload } from '../src/core/deploy-payload.js';
import { seedPayload } from './support/app.js';
import { DIALECTS } from './support/databases.js';
import type { EngineTestApp } from './support/runtime.js';
import { startEngineApp } from './support/runtime.js';

// DORA figures on a small fixture whose every expected number is worked out by hand below.
//
// Service cart (alias "Cart API"), environment Production; window 2025-03-03 .. 2025-03-17 (two
// ISO weeks). Lead time = deployed_at − commit authoring date (else commit date).
//
// week 1 (Mon 03-03)
//   D1 03-03 10:00 aaa1, authored 03-02 10:00            lead 86400
//   D2 03-04 10:00 aaa2, commit date 03-04 08:00 only     lead  7200  FAILS: rollback (D3 re-deploys aaa1), restored by D3: 7200
//   D3 03-04 12:00 aaa1, authored 03-02 10:00            lead 180000
//   D4 03-05 10:00 no commit, marked failed              (no success) FAILS: marked, restored by D5: 21600
//   D5 03-05 16:00 aaa3, authored 03-05 15:00            lead  3600
// week 2 (Mon 03-10)
//   D6 03-10 10:00 aaa4 status failed                    (not deployed) FAILS: status, restored by D7: 1800
//   D7 03-10 10:30 aaa4, authored 03-10 09:00            lead  5400
//   D8 03-11 10:00 aaa5, authored 03-11 08:00            lead  7200  FAILS: PagerDuty incident at 10:30, resolved 12:30: 9000
//   S1 03-11 10:10 staging deploy: another environment, never counted
//
// Nearest-rank percentiles: median = the ceil(n/2)-th smallest, p90 = the ceil(0.9n)-th.

const HOUR = 3600;

interface Metric {
  value: number | null;
  median?: number | null;
  p90?: number | null;
  numerator: number;
  denominator: number;
  band: string | null;
  excluded?: Record<string, number>;
  drilldown: string;
}
type Figures = Record<'deploymentFrequency' | 'leadTime' | 'changeFailureRate' | 'timeToRestore', Metric>;
interface Report {
  environments: string[];
  summary: Figures;
  buckets: Array<{ key: string; metrics: Figures }>;
}
interface DrillRow {
  deploy: { id: string; deployNumber: string };
  counted: boolean;
  seconds: number | null;
  excludedBecause: string | null;
  failures: Array<{ rule: string; rolledBackBy?: string; incidentId?: string }>;
  restore: { by: string; id: string } | null;
}

describe.each(DIALECTS)('deploy insights on %s', (dialect) => {
  let t: EngineTestApp;
  const ids: Record<string, string> = {};

  const commit = (sha: string, dates: { authoring?: string; date?: string }) => ({
    sha,
    message: 'change',
    branch: 'main',
    author_name: 'A',
    ...(dates.authoring ? { authoring_date: dates.authoring } : {}),
    ...(dates.date ? { date: dates.date } : {}),
  });
  const deploy = async (name: string, at: string, extra: Record<string, unknown> = {}) => {
    await t.ingest({
      service: 'cart',
      dedup_id: `cart-${name}`,
      deploy_number: name.slice(1),
      deployed_at: at,
      commit: null,
      environment: 'Production',
      ...extra,
    });
    const page = (await t.api({ method: 'GET', url: '/api/v1/deploys?service=cart&limit=500' })).json<{
      items: Array<{ id: string; dedupId: string }>;
    }>();
    ids[name] = page.items.find((d) => d.dedupId === `cart-${name}`)!.id;
  };
  const dora = async (query: string) => {
    const res = await t.api({ method: 'GET', url: `/api/v1/insights/dora?${query}`, role: 'read' });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<Report>();
  };
  const drill = async (link: string) => {
    const res = await t.api({ method: 'GET', url: link, role: 'read' });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ numerator: number; denominator: number; rows: DrillRow[]; incidents: Array<{ id: string }> }>();
  };
  const WINDOW = 'service=cart&from=2025-03-03&to=2025-03-17&bucket=week';

  beforeAll(async () => {
    t = await startEngineApp(dialect);
    expect(
      (await t.api({ method: 'POST', url: '/api/v1/services', payload: { name: 'cart', aliases: ['Cart API'], owner: 'Shop' } }))
        .statusCode,
    ).toBe(201);
    expect((await t.api({ method: 'POST', url: '/api/v1/services', payload: { name: 'pay', owner: 'money' } })).statusCode).toBe(201);
    await deploy('D1', '2025-03-03T10:00:00Z', {
      commit: commit('aaa1', { authoring: '2025-03-02T10:00:00Z', date: '2025-03-02T11:00:00Z' }),
    });
    await deploy('D2', '2025-03-04T10:00:00Z', { commit: commit('aaa2', { date: '2025-03-04T08:00:00Z' }) });
    await deploy('D3', '2025-03-04T12:00:00Z', { commit: commit('aaa1', { authoring: '2025-03-02T10:00:00Z' }) });
    await deploy('D4', '2025-03-05T10:00:00Z');
    await deploy('D5', '2025-03-05T16:00:00Z', { commit: commit('aaa3', { authoring: '2025-03-05T15:00:00Z' }) });
    // D6: an Octopus deployment that failed, recorded as integrations record them.
    const endpointId = (await t.api({ method: 'GET', url: '/api/v1/deploy-endpoints' })).json<{ items: Array<{ id: string }> }>().items[0]!
      .id;
    const parsed = parseDeployPayload(
      seedPayload({
        service: 'cart',
        dedup_id: 'cart-D6',
        deploy_number: '6',
        deployed_at: '2025-03-10T10:00:00Z',
        environment: 'Production',
        commit: commit('aaa4', { authoring: '2025-03-10T09:00:00Z' }),
      }),
    );
    if (!parsed.ok) throw new Error('fixture payload');
    await t.store.ingest.record(endpointId, { ...parsed.input, status: 'failed', source: 'octopus' });
    await deploy('D7', '2025-03-10T10:30:00Z', { commit: commit('aaa4', { authoring: '2025-03-10T09:00:00Z' }) });
    await deploy('D8', '2025-03-11T10:00:00Z', { commit: commit('aaa5', { authoring: '2025-03-11T08:00:00Z' }) });
    await deploy('S1', '2025-03-11T10:10:00Z', { environment: 'Staging', commit: commit('aaa5', { authoring: '2025-03-11T08:00:00Z' }) });
    ids.D6 = (await t.api({ method: 'GET', url: '/api/v1/deploys?service=cart&limit=500' }))
      .json<{ items: Array<{ id: string; dedupId: string }> }>()
      .items.find((d) => d.dedupId === 'cart-D6')!.id;

    const marked = await t.api({
      method: 'POST',
      url: `/api/v1/deploys/${ids.D4}/failure`,
      role: 'write',
      payload: { reason: 'feature flag left on' },
    });
    expect(marked.statusCode, marked.body).toBe(200);
    expect(marked.json()).toMatchObject({ deployId: ids.D4, reason: 'feature flag left on', markedBy: 'test write' });

    // PagerDuty's service is named as a Shipline alias ("Cart API"), in another case.
    const pd = {
      incidentId: 'PD-1',
      number: 1,
      title: 'Checkout errors',
      urgency: 'high',
      service: { id: 'PSVC1', name: 'cart api' },
      createdAt: '2025-03-11T10:30:00Z',
      htmlUrl: null,
    };
    await t.store.events.append({
      type: 'pagerduty.incident.triggered',
      source: 'connection:pd',
      data: { ...pd, status: 'triggered', occurredAt: '2025-03-11T10:30:00Z' },
      timestamp: '2025-03-11T10:30:00Z',
    });
    await t.store.events.append({
      type: 'pagerduty.incident.resolved',
      source: 'connection:pd',
      data: { ...pd, status: 'resolved', occurredAt: '2025-03-11T12:30:00Z', resolvedAt: '2025-03-11T12:30:00Z' },
      timestamp: '2025-03-11T12:30:00Z',
    });
  });
  afterAll(() => t?.close());

  it('computes each metric for the window and per week, as worked out by hand', async () => {
    const report = await dora(WINDOW);
    expect(report.environments).toEqual(['Production']);
    const s = report.summary;
    // D4, marked failed, is a failure and nothing else: no successful deploy, so neither in frequency nor in lead time.
    expect(s.deploymentFrequency).toMatchObject({ value: 6 / 14, numerator: 6, denominator: 14, band: 'high' });
    expect(s.leadTime).toMatchObject({
      value: 2 * HOUR,
      median: 2 * HOUR,
      p90: 50 * HOUR,
      numerator: 6,
      denominator: 6,
      band: 'elite',
      excluded: {},
    });
    expect(s.changeFailureRate).toMatchObject({ value: 0.5, numerator: 4, denominator: 8, band: 'low' });
    expect(s.timeToRestore).toMatchObject({ value: 2 * HOUR, median: 2 * HOUR, p90: 6 * HOUR, numerator: 4, denominator: 4, band: 'high' });

    expect(report.buckets.map((b) => b.key)).toEqual(['2025-03-03', '2025-03-10']);
    const [w1, w2] = report.buckets.map((b) => b.metrics);
    expect(w1!.deploymentFrequency).toMatchObject({ numerator: 4, denominator: 7, band: 'high' });
    expect(w1!.leadTime).toMatchObject({ median: 2 * HOUR, p90: 50 * HOUR, numerator: 4, denominator: 4 });
    expect(w1!.changeFailureRate).toMatchObject({ value: 0.4, numerator: 2, denominator: 5, band: 'low' });
    expect(w1!.timeToRestore).toMatchObject({ median: 2 * HOUR, p90: 6 * HOUR, numerator: 2, denominator: 2, band: 'high' });
    expect(w2!.deploymentFrequency).toMatchObject({ numerator: 2, denominator: 7 });
    expect(w2!.leadTime).toMatchObject({ median: 5400, p90: 2 * HOUR, numerator: 2, denominator: 2 });
    expect(w2!.changeFailureRate).toMatchObject({ numerator: 2, denominator: 3, band: 'low' });
    expect(w2!.timeToRestore).toMatchObject({ median: 1800, p90: 9000, numerator: 2, denominator: 2, band: 'elite' });
  });

  it('reports empty windows as zero deploys and no values, not as guesses', async () => {
    const report = await dora('service=cart&from=2025-01-06&to=2025-01-13&bucket=day');
    expect(report.summary.deploymentFrequency).toMatchObject({ value: 0, numerator: 0, denominator: 7, band: 'low' });
    expect(report.summary.leadTime).toMatchObject({ value: null, p90: null, numerator: 0, denominator: 0, band: null });
    expect(report.summary.changeFailureRate).toMatchObject({ value: null, numerator: 0, denominator: 0, band: null });
    expect(report.summary.timeToRestore).toMatchObject({ value: null, numerator: 0, denominator: 0, band: null });
    expect(report.buckets).toHaveLength(7);
  });

  it('drill-downs list the rows each figure adds up from, and say which failure rule matched', async () => {
    const report = await dora(WINDOW);
    for (const [name, metric] of Object.entries(report.summary)) {
      const d = await drill(metric.drilldown);
      expect(d.numerator, name).toBe(metric.numerator);
      expect(d.rows.filter((r) => r.counted).length, name).toBe(metric.numerator);
      if (name === 'deploymentFrequency') expect(d.denominator).toBe(14);
      else expect(d.rows.length, name).toBe(metric.denominator);
    }
    for (const bucket of report.buckets) {
      const d = await drill(bucket.metrics.changeFailureRate.drilldown);
      expect(d.rows.filter((r) => r.counted).length).toBe(bucket.metrics.changeFailureRate.numerator);
      expect(d.rows.length).toBe(bucket.metrics.changeFailureRate.denominator);
    }
    const cfr = await drill(report.summary.changeFailureRate.drilldown);
    const rulesOf = (id: string) => cfr.rows.find((r) => r.deploy.id === id)!.failures.map((f) => f.rule);
    expect(rulesOf(ids.D2!)).toEqual(['rollback']);
    expect(cfr.rows.find((r) => r.deploy.id === ids.D2)!.failures[0]!.rolledBackBy).toBe(ids.D3);
    expect(rulesOf(ids.D4!)).toEqual(['marked']);
    expect(rulesOf(ids.D6!)).toEqual(['status']);
    expect(rulesOf(ids.D8!)).toEqual(['incident']);
    expect(rulesOf(ids.D1!)).toEqual([]);
    expect(cfr.incidents.map((i) => i.id)).toEqual(['PD-1']);

    const ttr = await drill(report.summary.timeToRestore.drilldown);
    const restore = (id: string) => ttr.rows.find((r) => r.deploy.id === id)!;
    expect(restore(ids.D8!)).toMatchObject({ seconds: 9000, restore: { by: 'incident', id: 'PD-1' } });
    expect(restore(ids.D4!)).toMatchObject({ seconds: 6 * HOUR, restore: { by: 'deploy', id: ids.D5 } });
    // A restore after the window (and the incident window) is still found: D6 is restored by D7 at 10:30.
    const late = await drill(
      '/api/v1/insights/dora/drilldown?metric=timeToRestore&service=cart&from=2025-03-10T00:00:00Z&to=2025-03-10T10:15:00Z&incidentWindowMinutes=0',
    );
    expect(late.rows.map((r) => [r.deploy.id, r.seconds, r.restore?.id])).toEqual([[ids.D6, 1800, ids.D7]]);
    const lead = await drill(report.summary.leadTime.drilldown);
    expect(lead.rows.find((r) => r.deploy.id === ids.D4)).toBeUndefined();
    expect((await drill(report.summary.deploymentFrequency.drilldown)).rows.find((r) => r.deploy.id === ids.D4)).toBeUndefined();
    expect(lead.rows.find((r) => r.deploy.id === ids.D2)).toMatchObject({ counted: true, seconds: 2 * HOUR });
  });

  it('links incident.opened from a reaction, and counts an unresolved failure without guessing its restore', async () => {
    await t.ingest({ service: 'pay', dedup_id: 'pay-1', deployed_at: '2025-03-12T09:00:00Z', environment: 'production' });
    await t.store.events.append({
      type: 'incident.opened',
      source: 'reaction:alerts',
      data: { service: 'pay', incidentId: 'INC-7', title: 'Refunds stuck' },
      timestamp: '2025-03-12T09:20:00Z',
    });
    const report = await dora('service=pay&from=2025-03-03&to=2025-03-17');
    expect(report.summary.changeFailureRate).toMatchObject({ value: 1, numerator: 1, denominator: 1 });
    expect(report.summary.timeToRestore).toMatchObject({
      value: null,
      numerator: 0,
      denominator: 1,
      excluded: { 'not restored yet': 1 },
      band: null,
    });
    // Outside the incident window (default 60 minutes) nothing links; with 10 minutes neither does this one.
    const narrow = await dora('service=pay&from=2025-03-03&to=2025-03-17&incidentWindowMinutes=10');
    expect(narrow.summary.changeFailureRate).toMatchObject({ numerator: 0, denominator: 1 });
    // The team filter is the services' owner.
    const team = await dora('team=money&from=2025-03-03&to=2025-03-17');
    expect(team.summary.deploymentFrequency.numerator).toBe(1);
    const all = await dora('from=2025-03-03&to=2025-03-17');
    expect(all.summary.deploymentFrequency.numerator).toBe(7);
  });

  it('counts a late deploy in the bucket of its deployed_at, and a duplicate not at all', async () => {
    await deploy('D9', '2025-03-05T20:00:00Z', { commit: commit('aaa6', { authoring: '2025-03-05T19:30:00Z' }) });
    await t.ingest({ service: 'cart', dedup_id: 'cart-D9', deployed_at: '2025-03-05T20:00:00Z', environment: 'Production' });
    const [w1, w2] = (await dora(WINDOW)).buckets.map((b) => b.metrics);
    // week 1 now: 5 successful deploys (D4 is marked failed); failures still D2 and D4 of 6; lead times 1800, 3600, 7200, 86400, 180000.
    expect(w1!.deploymentFrequency).toMatchObject({ numerator: 5, denominator: 7 });
    expect(w1!.changeFailureRate).toMatchObject({ numerator: 2, denominator: 6 });
    expect(w1!.leadTime).toMatchObject({ median: 2 * HOUR, numerator: 5, denominator: 5 });
    expect(w2!.deploymentFrequency).toMatchObject({ numerator: 2, denominator: 7 });
  });

  it('marks and unmarks failures, refusing unknown deploys and low roles', async () => {
    expect((await t.api({ method: 'POST', url: '/api/v1/deploys/nope/failure', payload: { reason: 'x' } })).json().error.code).toBe(
      'deploy.not_found',
    );
    expect(
      (await t.api({ method: 'POST', url: `/api/v1/deploys/${ids.D1}/failure`, role: 'read', payload: { reason: 'x' } })).statusCode,
    ).toBe(403);
    expect((await t.api({ method: 'POST', url: `/api/v1/deploys/${ids.D1}/failure`, payload: {} })).statusCode).toBe(400);
    expect((await t.api({ method: 'POST', url: `/api/v1/deploys/${ids.D1}/failure`, payload: { reason: 'slow' } })).statusCode).toBe(200);
    expect((await dora(WINDOW)).summary.changeFailureRate.numerator).toBe(5);
    expect((await t.api({ method: 'DELETE', url: `/api/v1/deploys/${ids.D1}/failure` })).statusCode).toBe(204);
    expect((await dora(WINDOW)).summary.changeFailureRate.numerator).toBe(4);
    const events = (await t.api({ method: 'GET', url: '/api/v1/events?type=deploy.marked_failed' })).json<{ items: unknown[] }>().items;
    expect(events.length).toBeGreaterThanOrEqual(2);
  });

  it('shows a single deploy with its failure mark, from marking to clearing; the list and events keep their shape', async () => {
    type Shown = { id: string; failure: { reason: string; markedBy: string | null; markedAt: string } | null };
    const show = async (id: string) => {
      const res = await t.api({ method: 'GET', url: `/api/v1/deploys/${id}`, role: 'read' });
      expect(res.statusCode, res.body).toBe(200);
      return res.json<Shown>();
    };
    const [d4, d5] = [ids.D4!, ids.D5!];
    expect((await show(d4)).failure).toEqual({ reason: 'feature flag left on', markedBy: 'test write', markedAt: expect.any(String) });
    expect((await show(d5)).failure).toBeNull();

    const marked = await t.api({
      method: 'POST',
      url: `/api/v1/deploys/${d5}/failure`,
      role: 'write',
      payload: { reason: ' search broke ' },
    });
    expect(marked.statusCode, marked.body).toBe(200);
    const failure = (await show(d5)).failure;
    expect(failure).toEqual({ reason: 'search broke', markedBy: 'test write', markedAt: marked.json<{ markedAt: string }>().markedAt });
    expect(new Date(failure!.markedAt).toISOString()).toBe(failure!.markedAt);
    // Marking again replaces the reason, who and when.
    expect(
      (await t.api({ method: 'POST', url: `/api/v1/deploys/${d5}/failure`, payload: { reason: 'search broke badly' } })).statusCode,
    ).toBe(200);
    expect((await show(d5)).failure).toMatchObject({ reason: 'search broke badly', markedBy: 'test admin' });

    const listed = (await t.api({ method: 'GET', url: '/api/v1/deploys?service=cart&limit=500' }))
      .json<{ items: Array<{ id: string }> }>()
      .items.find((d) => d.id === d5);
    expect(listed).toBeDefined();
    expect(listed).not.toHaveProperty('failure');
    const recorded = (await t.api({ method: 'GET', url: '/api/v1/events?type=deploy.recorded&limit=500' }))
      .json<{ items: Array<{ data: { id: string } }> }>()
      .items.find((e) => e.data.id === d5);
    expect(recorded?.data).not.toHaveProperty('failure');

    expect((await t.api({ method: 'DELETE', url: `/api/v1/deploys/${d5}/failure`, role: 'write' })).statusCode).toBe(204);
    expect((await show(d5)).failure).toBeNull();
    expect((await t.api({ method: 'GET', url: '/api/v1/deploys/nope' })).json().error.code).toBe('deploy.not_found');
  });

  it('normalises environment names, infers tiers, and lets people set them', async () => {
    await t.ingest({ service: 'cart', dedup_id: 'cart-lower', deployed_at: '2025-03-12T10:00:00Z', environment: 'production ' });
    const envs = (await t.api({ method: 'GET', url: '/api/v1/environments' })).json<{
      items: Array<{ name: string; tier: string; tierSource: string; deployCount: number }>;
    }>().items;
    const production = envs.filter((e) => e.name.toLowerCase().trim() === 'production');
    expect(production).toHaveLength(1);
    expect(production[0]).toMatchObject({ name: 'Production', tier: 'production', tierSource: 'inferred' });
    expect(envs.find((e) => e.name === 'Staging')).toMatchObject({ tier: 'staging', tierSource: 'inferred' });
    // The lower-case spelling counts in the same environment.
    expect((await dora('service=cart&from=2025-03-12&to=2025-03-13')).summary.deploymentFrequency.numerator).toBe(1);

    const patched = await t.api({ method: 'PATCH', url: '/api/v1/environments/STAGING', role: 'write', payload: { tier: 'production' } });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({ key: 'staging', tier: 'production', tierSource: 'set' });
    // Once one is set to production, the inferred production is not production any more.
    expect((await dora('service=cart&from=2025-03-11&to=2025-03-12')).environments).toEqual(['Staging']);
    await t.api({ method: 'PATCH', url: '/api/v1/environments/Staging', payload: { tier: 'staging' } });
    await t.api({ method: 'PATCH', url: '/api/v1/environments/production', payload: { tier: 'production' } });
    expect((await dora('service=cart&from=2025-03-11&to=2025-03-12')).environments).toEqual(['Production']);

    expect((await t.api({ method: 'PATCH', url: '/api/v1/environments/moon', payload: { tier: 'other' } })).json().error.code).toBe(
      'environment.not_found',
    );
    expect((await t.api({ method: 'PATCH', url: '/api/v1/environments/production', payload: { tier: 'prod' } })).statusCode).toBe(400);
    expect((await t.api({ method: 'GET', url: '/api/v1/insights/dora?environment=moon' })).json().error.code).toBe('environment.not_found');
    expect((await t.api({ method: 'GET', url: '/api/v1/insights/dora?service=nothing' })).json().error.code).toBe('service.not_found');
    expect((await t.api({ method: 'GET', url: '/api/v1/insights/dora?from=2025-03-10&to=2025-03-01' })).statusCode).toBe(400);
  });

  it('shows a service timeline in order, with commit ranges, failures and incidents', async () => {
    const res = await t.api({
      method: 'GET',
      url: '/api/v1/services/Cart%20API/timeline?environment=production&from=2025-03-01&to=2025-03-12',
      role: 'read',
    });
    expect(res.statusCode, res.body).toBe(200);
    const items = res.json<{
      items: Array<{
        at: string;
        kind: string;
        deploy?: { id: string };
        commitRange?: { from: string; to: string };
        failure?: { rule: string; deployId: string };
      }>;
    }>().items;
    expect(items.map((i) => i.at)).toEqual([...items.map((i) => i.at)].sort());
    expect(items.find((i) => i.kind === 'deploy' && i.deploy?.id === ids.D3)!.commitRange).toEqual({ from: 'aaa2', to: 'aaa1' });
    const failures = items.filter((i) => i.kind === 'failure').map((i) => [i.failure!.deployId, i.failure!.rule]);
    expect(failures).toEqual(
      expect.arrayContaining([
        [ids.D2, 'rollback'],
        [ids.D4, 'marked'],
        [ids.D6, 'status'],
        [ids.D8, 'incident'],
      ]),
    );
    expect(items.filter((i) => i.kind.startsWith('incident.')).map((i) => i.kind)).toEqual(['incident.opened', 'incident.resolved']);
    // "What changed right before this broke?": the deploy just before the incident opened is D8.
    const opened = items.findIndex((i) => i.kind === 'incident.opened');
    expect(
      items
        .slice(0, opened)
        .reverse()
        .find((i) => i.kind === 'deploy')!.deploy!.id,
    ).toBe(ids.D8);
    expect((await t.api({ method: 'GET', url: '/api/v1/services/nothing/timeline' })).statusCode).toBe(404);
  });
});
