import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliInProcess as cli } from '../support/cli-in-process.js';
import { DIALECTS } from '../support/databases.js';
import type { OctopusTestBed } from '../support/octopus.js';
import { octopusTestBed } from '../support/octopus.js';
import { eventually } from '../support/sink.js';
import type { GitHubStandIn } from '../../src/integrations/github/stand-in.test-support.js';
import { startGitHubStandIn, STAND_IN_TOKEN } from '../../src/integrations/github/stand-in.test-support.js';

// A deploy's state tells the truth: a deploy marked failed reads failed wherever it is read, the
// insights count it once, one event (deploy.failed) says a deploy failed whatever found it, the
// deploy's page lists the runs of every event about it, and Octopus deploys keep UTC times, the
// Octopus user and a description that follows the deployment.

interface DeployBody {
  id: string;
  status: string;
  source: string;
  serviceAlias: string;
  environment: string | null;
  description: string;
  deployedAt: string;
  dedupId: string | null;
  deployer: { id: string | null; email: string | null; name: string | null };
}
interface EventBody {
  id: string;
  type: string;
  source: string;
  timestamp: string;
  data: Record<string, unknown>;
}

const githubFixture = readFileSync(
  new URL('../../src/integrations/github/fixtures/deployment-status-success.json', import.meta.url),
  'utf8',
);

describe.each(DIALECTS)("a deploy's state on %s", (dialect) => {
  let bed: OctopusTestBed;
  let github: GitHubStandIn;
  let octopusHook: string;
  let octopusSecret: string;
  let githubHook: string;
  let n = 0;

  const api = (opts: Parameters<OctopusTestBed['t']['api']>[0]) => bed.t.api(opts);
  const deploys = async (query = '') => {
    const res = await api({ method: 'GET', url: `/api/v1/deploys?limit=500${query}`, role: 'read' });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ items: DeployBody[] }>().items;
  };
  const byDedup = async (dedupId: string) => (await deploys()).find((d) => d.dedupId === dedupId);
  const events = async (type: string) =>
    (await api({ method: 'GET', url: `/api/v1/events?type=${type}&limit=500`, role: 'read' })).json<{ items: EventBody[] }>().items;
  const failedEventsOf = async (deployId: string) => (await events('deploy.failed')).filter((e) => e.data.id === deployId);
  const record = async (dedupId: string, extra: Record<string, unknown> = {}) => {
    await bed.t.ingest({ service: 'cart', dedup_id: dedupId, deployed_at: '2026-02-02T10:00:00Z', environment: 'Production', ...extra });
    return (await byDedup(dedupId))!;
  };
  const mark = async (id: string, reason: string) => {
    const res = await api({ method: 'POST', url: `/api/v1/deploys/${id}/failure`, role: 'write', payload: { reason } });
    expect(res.statusCode, res.body).toBe(200);
  };
  const clear = async (id: string) =>
    expect((await api({ method: 'DELETE', url: `/api/v1/deploys/${id}/failure`, role: 'write' })).statusCode).toBe(204);

  /** An Octopus subscription delivery of one deployment event, as Octopus posts it. */
  const octopusDelivery = (deploymentId: string, category: string, extra: Record<string, unknown> = {}) => ({
    Timestamp: '2026-03-02T09:20:00.000+10:00',
    EventType: 'SubscriptionPayload',
    Payload: {
      ServerUri: bed.sim.url,
      Event: {
        Id: `Events-${deploymentId}-${category}-${++n}`,
        Category: category,
        SpaceId: 'Spaces-1',
        Message: `Deploy to Production ${category.replace('Deployment', '').toLowerCase()} for Web release 1.0.0 to Production`,
        RelatedDocumentIds: [deploymentId, 'Projects-9999', 'Environments-9999', 'Releases-9999'],
        Occurred: '2026-03-02T09:14:07.1234567+10:00',
        Username: 'jane.doe',
        UserId: 'Users-42',
        ...extra,
      },
    },
  });
  const deliverOctopus = async (body: unknown) => {
    const res = await bed.t.app.inject({
      method: 'POST',
      url: octopusHook,
      headers: { 'content-type': 'application/json', 'x-shipline-webhook-secret': octopusSecret },
      payload: JSON.stringify(body),
    });
    expect(res.statusCode, res.body).toBe(200);
  };
  const deliverGitHub = async (deploymentId: number, state: string) => {
    const payload = JSON.parse(githubFixture) as { deployment: { id: number }; deployment_status: { state: string; description: string } };
    payload.deployment.id = deploymentId;
    payload.deployment_status.state = state;
    payload.deployment_status.description = `smoke tests ${state}`;
    const body = Buffer.from(JSON.stringify(payload));
    const res = await bed.t.app.inject({
      method: 'POST',
      url: githubHook,
      payload: body,
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'deployment_status',
        'x-github-delivery': `delivery-${deploymentId}-${state}`,
        'x-hub-signature-256': `sha256=${createHmac('sha256', 'gh-secret').update(body).digest('hex')}`,
      },
    });
    expect(res.statusCode, res.body).toBe(202);
  };

  beforeAll(async () => {
    bed = await octopusTestBed(dialect);
    github = await startGitHubStandIn();
    const octopus = await bed.connect('octo');
    const sub = await bed.subscriptionWith(['DeploymentFailed', 'DeploymentQueued', 'DeploymentStarted', 'DeploymentSucceeded']);
    octopusSecret = sub.EventNotificationSubscription.WebhookHeaderValue as string;
    octopusHook = new URL(octopus.webhookUrl).pathname;
    const gh = await api({
      method: 'POST',
      url: '/api/v1/connections',
      payload: {
        type: 'github',
        name: 'gh',
        config: { apiUrl: github.url },
        secrets: { token: STAND_IN_TOKEN, webhookSecret: 'gh-secret' },
      },
    });
    expect(gh.statusCode, gh.body).toBe(201);
    githubHook = new URL(gh.json<{ webhookUrl: string }>().webhookUrl).pathname;
    expect((await api({ method: 'POST', url: '/api/v1/services', payload: { name: 'cart' } })).statusCode).toBe(201);
  });
  afterAll(async () => {
    await bed?.close();
    await github?.close();
  });

  it('a deploy marked failed reads failed in the list, its page, the status filter, the environments and the CLI; clearing the mark restores it', async () => {
    const deploy = await record('state-mark-1');
    expect(deploy.status).toBe('succeeded');
    await mark(deploy.id, 'checkout broke');

    const shown = (await api({ method: 'GET', url: `/api/v1/deploys/${deploy.id}`, role: 'read' })).json<{
      status: string;
      reportedStatus: string;
      failure: { reason: string } | null;
    }>();
    expect(shown).toMatchObject({ status: 'failed', reportedStatus: 'succeeded', failure: { reason: 'checkout broke' } });
    expect((await deploys()).find((d) => d.id === deploy.id)!.status).toBe('failed');
    expect((await deploys('&status=failed')).map((d) => d.id)).toContain(deploy.id);
    expect((await deploys('&status=succeeded')).map((d) => d.id)).not.toContain(deploy.id);
    const environments = (await api({ method: 'GET', url: '/api/v1/environments', role: 'read' })).json<{
      items: Array<{ name: string; services: DeployBody[] }>;
    }>().items;
    expect(environments.find((e) => e.name === 'Production')!.services.find((d) => d.id === deploy.id)?.status).toBe('failed');
    const listed = await cli(['--url', bed.t.url!, '--token', bed.t.tokens.read, 'deploys', 'list', '--status', 'failed', '--json']);
    expect(listed.code).toBe(0);
    expect((JSON.parse(listed.stdout) as { items: DeployBody[] }).items.find((d) => d.id === deploy.id)?.status).toBe('failed');
    const table = await cli(['--url', bed.t.url!, '--token', bed.t.tokens.read, 'deploys', 'list', '--service', 'cart']);
    expect(table.stdout.split('\n').find((line) => line.includes('2026-02-02T10:00:00.000Z'))).toMatch(/\bfailed\b/);

    const cleared = await cli(['--url', bed.t.url!, '--token', bed.t.tokens.write, 'deploys', 'clear-failure', deploy.id]);
    expect(cleared.code).toBe(0);
    expect((await api({ method: 'GET', url: `/api/v1/deploys/${deploy.id}`, role: 'read' })).json()).toMatchObject({
      status: 'succeeded',
      reportedStatus: 'succeeded',
      failure: null,
    });
    expect((await deploys('&status=failed')).map((d) => d.id)).not.toContain(deploy.id);
    expect((await deploys('&status=succeeded')).map((d) => d.id)).toContain(deploy.id);
  });

  it('a mark holds while its source reports later statuses underneath, and clearing it shows the latest one reported', async () => {
    await deliverOctopus(octopusDelivery('Deployments-7100', 'DeploymentStarted'));
    const started = await eventually(async () => byDedup(`octopus:${await octopusConnectionId()}:Deployments-7100`));
    await mark(started.id, 'stuck, called it');
    expect((await byDedup(started.dedupId!))!.status).toBe('failed');
    // Octopus then reports it succeeded: the mark still holds, the reported status moves underneath.
    await deliverOctopus(octopusDelivery('Deployments-7100', 'DeploymentSucceeded'));
    const reported = await eventually(async () => {
      const d = (await api({ method: 'GET', url: `/api/v1/deploys/${started.id}`, role: 'read' })).json<{
        status: string;
        reportedStatus: string;
      }>();
      return d.reportedStatus === 'succeeded' ? d : undefined;
    });
    expect(reported.status).toBe('failed');
    // The status people read did not move, so no deploy.updated says it did (failed → failed).
    expect((await events('deploy.updated')).filter((e) => e.data.id === started.id)).toEqual([]);
    await clear(started.id);
    expect((await byDedup(started.dedupId!))!.status).toBe('succeeded');
  });

  it('Insights count a marked deploy once, as a failure and never also as a successful deploy', async () => {
    expect((await api({ method: 'POST', url: '/api/v1/services', payload: { name: 'ledger' } })).statusCode).toBe(201);
    await bed.t.ingest({
      service: 'ledger',
      dedup_id: 'ledger-1',
      deployed_at: '2025-06-02T10:00:00Z',
      environment: 'production',
      commit: { sha: 'b1', authoring_date: '2025-06-02T09:00:00Z' },
    });
    await bed.t.ingest({
      service: 'ledger',
      dedup_id: 'ledger-2',
      deployed_at: '2025-06-03T10:00:00Z',
      environment: 'production',
      commit: { sha: 'b2', authoring_date: '2025-06-03T09:00:00Z' },
    });
    const second = (await byDedup('ledger-2'))!;
    await mark(second.id, 'ledger totals wrong');

    const dora = (
      await api({
        method: 'GET',
        url: '/api/v1/insights/dora?service=ledger&environment=production&from=2025-06-01&to=2025-06-08',
        role: 'read',
      })
    ).json<{
      summary: Record<
        'deploymentFrequency' | 'leadTime' | 'changeFailureRate',
        { numerator: number; denominator: number; drilldown: string }
      >;
    }>().summary;
    expect(dora.changeFailureRate).toMatchObject({ numerator: 1, denominator: 2 });
    expect(dora.deploymentFrequency.numerator).toBe(1);
    expect(dora.leadTime).toMatchObject({ numerator: 1, denominator: 1 });
    const frequencyRows = (await api({ method: 'GET', url: dora.deploymentFrequency.drilldown, role: 'read' })).json<{
      rows: Array<{ deploy: { id: string } }>;
    }>().rows;
    expect(frequencyRows.map((r) => r.deploy.id)).not.toContain(second.id);
    const failureRows = (await api({ method: 'GET', url: dora.changeFailureRate.drilldown, role: 'read' })).json<{
      rows: Array<{ deploy: { id: string; status: string }; counted: boolean; failures: Array<{ rule: string }> }>;
    }>().rows;
    const row = failureRows.find((r) => r.deploy.id === second.id)!;
    expect(row).toMatchObject({ counted: true, deploy: { status: 'failed' } });
    expect(row.failures.map((f) => f.rule)).toEqual(['marked']);
  });

  it('stores one deploy.failed for every way a deploy fails: a pipeline posting failed, Octopus, GitHub and a mark', async () => {
    // A pipeline posting its deploy as failed: recorded failed (not succeeded), with one deploy.failed.
    const posted = await record('state-posted-failed', { status: 'failed', description: 'migrations failed' });
    expect(posted.status).toBe('failed');
    const [fromPipeline, ...morePipeline] = await failedEventsOf(posted.id);
    expect(morePipeline).toEqual([]);
    expect(fromPipeline!.data).toMatchObject({
      status: 'failed',
      serviceAlias: 'cart',
      failure: { source: 'custom', reason: 'migrations failed', markedBy: null },
    });

    // Octopus: started, then failed (then the same failure again as another event): one deploy.failed.
    await deliverOctopus(octopusDelivery('Deployments-7200', 'DeploymentStarted'));
    await deliverOctopus(octopusDelivery('Deployments-7200', 'DeploymentFailed'));
    await deliverOctopus(octopusDelivery('Deployments-7200', 'DeploymentFailed'));
    const octopusDeploy = await eventually(async () => {
      const d = await byDedup(`octopus:${await octopusConnectionId()}:Deployments-7200`);
      return d?.status === 'failed' ? d : undefined;
    });
    await eventually(async () =>
      (await events('octopus.deployment.failed')).filter((e) => e.data.deploymentId === 'Deployments-7200').length === 2 ? true : undefined,
    );
    const fromOctopus = await failedEventsOf(octopusDeploy.id);
    expect(fromOctopus).toHaveLength(1);
    expect(fromOctopus[0]!.data).toMatchObject({
      status: 'failed',
      source: 'octopus',
      failure: { source: 'octopus', reason: expect.stringContaining('failed'), markedBy: null },
    });

    // GitHub: a deployment_status failure, then an error for the same deployment: one deploy.failed.
    await deliverGitHub(9101, 'failure');
    await deliverGitHub(9101, 'error');
    const githubDeploy = await eventually(async () => (await deploys('&source=github')).find((d) => d.dedupId?.endsWith(':9101')));
    expect(githubDeploy.status).toBe('failed');
    const fromGitHub = await failedEventsOf(githubDeploy.id);
    expect(fromGitHub).toHaveLength(1);
    expect(fromGitHub[0]!.data).toMatchObject({ status: 'failed', failure: { source: 'github', reason: 'smoke tests failure' } });

    // A mark: once; marking again (a new reason) and marking a deploy that already reads failed store none.
    const marked = await record('state-marked');
    await mark(marked.id, 'wrong config');
    await mark(marked.id, 'wrong config, really');
    await mark(octopusDeploy.id, 'also marked');
    const fromMark = await failedEventsOf(marked.id);
    expect(fromMark).toHaveLength(1);
    expect(fromMark[0]).toMatchObject({
      source: 'token:test write',
      data: { id: marked.id, status: 'failed', failure: { source: 'mark', reason: 'wrong config', markedBy: 'test write' } },
    });
    expect(await failedEventsOf(octopusDeploy.id)).toHaveLength(1);
    // The existing event stays for the reactions that listen to it.
    expect((await events('deploy.marked_failed')).filter((e) => e.data.deployId === marked.id)).toHaveLength(2);
  });

  it('two people marking the same deploy at once store one deploy.failed, and clearing leaves it as reported', async () => {
    const deploy = await record('state-concurrent-marks');
    await Promise.all(['first', 'second', 'third'].map((reason) => mark(deploy.id, reason)));
    expect(await failedEventsOf(deploy.id)).toHaveLength(1);
    await clear(deploy.id);
    expect((await api({ method: 'GET', url: `/api/v1/deploys/${deploy.id}`, role: 'read' })).json()).toMatchObject({
      status: 'succeeded',
      reportedStatus: 'succeeded',
    });
  });

  it("a deploy's page lists the runs of every event about it, deploy.marked_failed and deploy.failed included", async () => {
    for (const type of ['deploy.marked_failed', 'deploy.failed']) {
      await bed.t.applyReaction({
        name: `on-${type.replace('.', '-').replace('_', '-')}`,
        on: { event: type },
        steps: { note: { uses: 'emit', with: { type: 'test.noted' } } },
      });
    }
    try {
      const deploy = await record('state-runs');
      await mark(deploy.id, 'paged at 3am');
      const runs = await eventually(async () => {
        const items = (await api({ method: 'GET', url: `/api/v1/deploys/${deploy.id}/runs`, role: 'read' })).json<{
          items: Array<{ reaction: string; eventId: string }>;
        }>().items;
        return items.length >= 2 ? items : undefined;
      });
      expect(runs.map((r) => r.reaction).sort()).toEqual(['on-deploy-failed', 'on-deploy-marked-failed']);
      const about = [...(await events('deploy.marked_failed')), ...(await events('deploy.failed'))].filter(
        (e) => e.data.deployId === deploy.id || e.data.id === deploy.id,
      );
      expect(runs.map((r) => r.eventId).sort()).toEqual(about.map((e) => e.id).sort());
      // Another deploy's runs are not this one's.
      const other = await record('state-runs-other');
      expect(
        (await api({ method: 'GET', url: `/api/v1/deploys/${other.id}/runs`, role: 'read' })).json<{ items: unknown[] }>().items,
      ).toEqual([]);
    } finally {
      for (const name of ['on-deploy-marked-failed', 'on-deploy-failed']) await api({ method: 'DELETE', url: `/api/v1/reactions/${name}` });
    }
  });

  it('an Octopus deployment at +10:00 is stored in UTC, deployed by the Octopus user, described as it now stands', async () => {
    await deliverOctopus(octopusDelivery('Deployments-7300', 'DeploymentStarted'));
    const dedupId = `octopus:${await octopusConnectionId()}:Deployments-7300`;
    const started = await eventually(async () => byDedup(dedupId));
    expect(started.deployedAt).toBe('2026-03-01T23:14:07.123Z');
    expect(started.deployer).toMatchObject({ id: 'Users-42', email: null, name: 'jane.doe' });
    expect(started.description).toContain('started');

    await deliverOctopus(octopusDelivery('Deployments-7300', 'DeploymentSucceeded', { Occurred: '2026-03-02T09:19:30.5+10:00' }));
    const succeeded = await eventually(async () => {
      const d = await byDedup(dedupId);
      return d?.status === 'succeeded' ? d : undefined;
    });
    expect(succeeded.description).toContain('succeeded');
    expect(succeeded.description).not.toContain('started');
    expect(succeeded.deployedAt).toBe('2026-03-01T23:14:07.123Z');
    // Times sort and filter as UTC: the window 23:00–23:30 UTC finds it.
    const window = await deploys('&source=octopus&since=2026-03-01T23:00:00Z&until=2026-03-01T23:30:00Z');
    expect(window.map((d) => d.id)).toContain(succeeded.id);
    const stored = (await events('octopus.deployment.succeeded')).find((e) => e.data.deploymentId === 'Deployments-7300')!;
    expect(stored.timestamp).toBe('2026-03-01T23:19:30.500Z');
    expect(stored.data).toMatchObject({ occurredAt: '2026-03-01T23:19:30.500Z', username: 'jane.doe', userId: 'Users-42' });
  });

  async function octopusConnectionId(): Promise<string> {
    return (await api({ method: 'GET', url: '/api/v1/connections/octo' })).json<{ id: string }>().id;
  }
});
