import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './support/databases.js';
import type { ConnectionBody, OctopusTestBed } from './support/octopus.js';
import { octopusTestBed, simDeploy } from './support/octopus.js';
import { eventually } from './support/sink.js';

const fixtures = new URL('../src/integrations/octopus/fixtures/', import.meta.url);
const realPayloads = readdirSync(fixtures).filter((f) => f.startsWith('webhook-payload-'));

interface EventBody {
  id: string;
  type: string;
  source: string;
  data: Record<string, unknown>;
}
interface DeployBody {
  id: string;
  status: string;
  source: string;
  serviceAlias: string;
  environment: string;
  deployNumber: string;
  deployUrl: string;
  dedupId: string;
}

describe.each(DIALECTS)('Octopus deliveries on %s', (dialect) => {
  let bed: OctopusTestBed;
  let conn: ConnectionBody;
  let secret: string;
  let hook: string;

  const events = async (type = 'octopus.*') =>
    (await bed.t.api({ method: 'GET', url: `/api/v1/events?type=${type}&limit=200` })).json<{ items: EventBody[] }>().items;
  const post = (body: unknown, headers: Record<string, string> = { 'x-shipline-webhook-secret': secret }) =>
    bed.t.app.inject({
      method: 'POST',
      url: hook,
      headers: { 'content-type': 'application/json', ...headers },
      payload: JSON.stringify(body),
    });

  beforeAll(async () => {
    bed = await octopusTestBed(dialect);
    conn = await bed.connect('prod');
    const sub = await bed.subscriptionWith(['DeploymentFailed', 'DeploymentQueued', 'DeploymentStarted', 'DeploymentSucceeded']);
    secret = sub.EventNotificationSubscription.WebhookHeaderValue as string;
    hook = new URL(conn.webhookUrl).pathname;
  });
  afterAll(async () => {
    await bed.close();
  });

  it('refuses a wrong or missing secret with 401 and an unknown connection with 404, storing nothing', async () => {
    const body = JSON.parse(readFileSync(new URL(realPayloads[0]!, fixtures), 'utf8')) as unknown;
    expect((await post(body, { 'x-shipline-webhook-secret': 'wrong' })).statusCode).toBe(401);
    expect((await post(body, {})).statusCode).toBe(401);
    const unknown = await bed.t.app.inject({
      method: 'POST',
      url: '/hooks/octopus/00000000-0000-0000-0000-000000000000',
      headers: { 'x-shipline-webhook-secret': secret },
      payload: body as object,
    });
    expect(unknown.statusCode).toBe(404);
    expect(await events()).toEqual([]);
    const [row] = await bed.t.store.db.transaction((run) => run.query<{ n: number | string }>('SELECT count(*) AS n FROM inbox'));
    expect(Number(row?.n)).toBe(0);
  });

  it('accepts every Octopus payload (recorded and synthesized) and stores each event once, however often it is delivered', async () => {
    for (const name of realPayloads) {
      const body = JSON.parse(readFileSync(new URL(name, fixtures), 'utf8')) as { Payload: { Event: { Id: string } } };
      const first = await post(body);
      expect(first.statusCode, name).toBe(200);
      expect(first.json()).toEqual({ eventId: body.Payload.Event.Id, duplicate: false });
      expect((await post(body)).json()).toEqual({ eventId: body.Payload.Event.Id, duplicate: true });
    }
    const stored = await eventually(async () => {
      const list = await events();
      return list.length === realPayloads.length ? list : undefined;
    });
    expect(stored.map((e) => e.type).sort()).toEqual([
      'octopus.deployment.failed',
      'octopus.deployment.started',
      'octopus.deployment.succeeded',
      'octopus.deployment_process.changed',
      'octopus.event',
      'octopus.machine.added',
      'octopus.machine.deleted',
      'octopus.machine.health_changed',
      'octopus.release.created',
    ]);
    expect(new Set(stored.map((e) => e.source))).toEqual(new Set(['connection:prod']));
  });

  it('describes a machine event with the machine as Octopus has it, read after storing; from the message alone when Octopus fails', async () => {
    const fixture = readFileSync(new URL('webhook-payload-machine-added.synthesized.json', fixtures), 'utf8');
    const delivery = (eventId: string, occurred: string) => {
      const body = JSON.parse(fixture.replaceAll('Machines-341', 'Machines-2')) as {
        Payload: { Event: { Id: string; Occurred: string; RelatedDocumentIds: string[] } };
      };
      body.Payload.Event.Id = eventId;
      body.Payload.Event.Occurred = occurred;
      body.Payload.Event.RelatedDocumentIds = ['Machines-2', 'Environments-2'];
      return body;
    };
    const stored = async (occurred: string) =>
      eventually(async () => (await events('octopus.machine.added')).find((e) => e.data.occurredAt === occurred));
    expect((await post(delivery('Events-900001', '2026-01-05T10:00:00.000Z'))).statusCode).toBe(200);
    expect((await stored('2026-01-05T10:00:00.000Z')).data).toMatchObject({
      machineId: 'Machines-2',
      machineName: 'web-prod-01',
      environmentIds: ['Environments-2', 'Environments-3'],
      roles: ['web-server'],
    });

    bed.sim.addFault({ path: '*/machines/*', status: 503, times: 5 });
    try {
      expect((await post(delivery('Events-900002', '2026-01-05T11:00:00.000Z'))).statusCode).toBe(200);
      // The name as the message shows it; the environments the event relates to; no roles.
      expect((await stored('2026-01-05T11:00:00.000Z')).data).toMatchObject({
        machineId: 'Machines-2',
        machineName: 'web-03',
        environmentIds: ['Environments-2'],
        roles: null,
      });
    } finally {
      bed.sim.clearFaults();
    }
  });

  it("emits a DeploymentSucceeded with exactly the seed's fields, plus task, space, channel and the resolved names", async () => {
    const { deploymentId, taskId } = await simDeploy(bed.sim, 'Web', '1.0.1', 'Production');
    const event = await eventually(async () =>
      (await events('octopus.deployment.succeeded')).find((e) => e.data.deploymentId === deploymentId),
    );
    expect(Object.keys(event.data).sort()).toEqual([
      'category',
      'channelId',
      'channelIds',
      'deploymentId',
      'deploymentIds',
      'environmentId',
      'environmentIds',
      'environmentName',
      'eventType',
      'machineIds',
      'message',
      'occurredAt',
      'projectId',
      'projectIds',
      'projectName',
      'releaseId',
      'releaseIds',
      'releaseVersion',
      'serverUri',
      'spaceId',
      'taskId',
      'taskIds',
      'tenantIds',
      'timestamp',
      'userId',
      'username',
    ]);
    expect(event.data).toMatchObject({
      eventType: 'DeploymentSucceeded',
      category: 'DeploymentSucceeded',
      taskId,
      spaceId: 'Spaces-1',
      serverUri: bed.sim.url,
      projectName: 'Web',
      environmentName: 'Production',
      releaseVersion: '1.0.1',
      message: expect.stringContaining('succeeded'),
    });
  });

  it('keeps one catalog deploy per Octopus deployment whose status follows the events', async () => {
    bed.sim.addOutcome({ project: 'Web', environment: 'Staging', state: 'Manual', times: 1 });
    const { deploymentId, taskId } = await simDeploy(bed.sim, 'Web', '1.0.0', 'Staging');
    const deploy = async () =>
      (await bed.t.api({ method: 'GET', url: '/api/v1/deploys?limit=100' }))
        .json<{ items: DeployBody[] }>()
        .items.filter((d) => d.dedupId.endsWith(`:${deploymentId}`));
    const started = await eventually(async () => {
      const found = await deploy();
      return found.length === 1 && found[0]!.status === 'started' ? found[0] : undefined;
    });
    expect(started).toMatchObject({
      source: 'octopus',
      serviceAlias: 'web',
      environment: 'Staging',
      deployNumber: '1.0.0',
      deployUrl: `${bed.sim.url}/app#/Spaces-1/deployments/${deploymentId}`,
    });
    bed.sim.completeTask(taskId, 'Failed', 'step 2 failed');
    await eventually(async () => {
      const found = await deploy();
      return found.length === 1 && found[0]!.status === 'failed' ? true : undefined;
    });
    const recorded = (await events('deploy.recorded')).filter((e) => (e.data as { dedupId: string }).dedupId.endsWith(`:${deploymentId}`));
    expect(recorded).toHaveLength(1);
    // Each move of its status is a deploy.updated, so reactions on deploy.* hear that it failed.
    const updated = (await events('deploy.updated')).filter((e) => (e.data as { dedupId: string }).dedupId.endsWith(`:${deploymentId}`));
    expect(updated.map((e) => [e.data.previousStatus, e.data.status])).toEqual([
      ['started', 'failed'],
      ['queued', 'started'],
    ]);
    // The unknown project became a suggestion, as for custom deploys.
    const suggested = (await events('suggestion.created')).filter((e) => e.data.alias === 'web');
    expect(suggested).toHaveLength(1);
    const failed = (await events('deploy.failed')).filter((e) => (e.data as { dedupId: string }).dedupId.endsWith(`:${deploymentId}`));
    expect(failed).toHaveLength(1);
    // The deploy's events name its connection, as the connection's Octopus events do, not the connection's internal endpoint.
    expect(new Set([...recorded, ...updated, ...failed, ...suggested].map((e) => e.source))).toEqual(new Set(['connection:prod']));
  });

  it("lists an Octopus deploy's runs: those of its deploy.* events and of its deployment's octopus.deployment.* events, no other's", async () => {
    await bed.t.applyReaction({
      name: 'octo-events',
      on: {
        event: 'octopus.deployment.*',
        connection: 'prod',
        project: 'Payments API',
        environment: 'Staging',
        categories: ['DeploymentQueued', 'DeploymentStarted', 'DeploymentSucceeded', 'DeploymentFailed'],
      },
      steps: { note: { uses: 'emit', with: { type: 'test.octo', data: { deployment: '{{ data.deploymentId }}' } } } },
    });
    await bed.t.applyReaction({
      name: 'octo-deploys',
      on: { event: 'deploy.*', filter: { source: 'octopus', serviceAlias: 'payments-api', environment: 'Staging' } },
      steps: { note: { uses: 'emit', with: { type: 'test.octo', data: { deploy: '{{ data.id }}' } } } },
    });
    try {
      const first = await simDeploy(bed.sim, 'Payments API', '2.3.0', 'Staging');
      const second = await simDeploy(bed.sim, 'Payments API', '2.3.0', 'Staging');
      const deployOf = async (deploymentId: string) =>
        (await bed.t.api({ method: 'GET', url: '/api/v1/deploys?source=octopus&status=succeeded&limit=100' }))
          .json<{ items: DeployBody[] }>()
          .items.find((d) => d.dedupId.endsWith(`:${deploymentId}`));
      const eventIdsAbout = async (deploymentId: string) => {
        const octopus = (await events('octopus.deployment.*')).filter((e) => e.data.deploymentId === deploymentId);
        const catalog = [...(await events('deploy.recorded')), ...(await events('deploy.updated'))].filter((e) =>
          String(e.data.dedupId).endsWith(`:${deploymentId}`),
        );
        return { octopus, catalog, ids: [...octopus, ...catalog].map((e) => e.id).sort() };
      };
      // Deliveries arrive in the background: wait until the deploy's runs are those of all its events so far, once it succeeded.
      const { runs, about } = await eventually(async () => {
        const deploy = await deployOf(first.deploymentId);
        if (!deploy || !(await deployOf(second.deploymentId))) return undefined;
        const about = await eventIdsAbout(first.deploymentId);
        const runs = (await bed.t.api({ method: 'GET', url: `/api/v1/deploys/${deploy.id}/runs`, role: 'read' })).json<{
          items: Array<{ id: string; reaction: string; eventId: string }>;
        }>().items;
        const started = [...new Set(runs.map((r) => r.eventId))].sort();
        return JSON.stringify(started) === JSON.stringify(about.ids) ? { runs, about } : undefined;
      });
      expect(about.octopus.map((e) => e.type).sort()).toEqual([
        'octopus.deployment.queued',
        'octopus.deployment.started',
        'octopus.deployment.succeeded',
      ]);
      expect(about.catalog.map((e) => e.type).sort()).toEqual(expect.arrayContaining(['deploy.recorded', 'deploy.updated']));
      expect(new Set(runs.map((r) => r.reaction))).toEqual(new Set(['octo-events', 'octo-deploys']));
      expect(runs.length).toBe(about.ids.length);
      expect(runs.map((r) => r.id)).toEqual([...runs.map((r) => r.id)].sort().reverse());
      const others = (await eventIdsAbout(second.deploymentId)).ids;
      expect(others.length).toBeGreaterThan(0);
      expect(runs.some((r) => others.includes(r.eventId))).toBe(false);
    } finally {
      for (const name of ['octo-events', 'octo-deploys']) await bed.t.api({ method: 'DELETE', url: `/api/v1/reactions/${name}` });
    }
  });

  it('stores a twice-delivered event once, and runs On Deployment Event reactions only for their project and environment', async () => {
    await bed.t.applyReaction({
      name: 'web-prod-done',
      on: { event: 'octopus.deployment.*', connection: 'prod', project: 'Web', environment: 'Production' },
      steps: {
        note: {
          uses: 'emit',
          with: { type: 'test.noted', data: { deployment: '{{ data.deploymentId }}', category: '{{ data.category }}' } },
        },
      },
    });
    bed.sim.setDelivery({ duplicate: true });
    try {
      const prod = await simDeploy(bed.sim, 'Web', '1.0.1', 'Production');
      const other = await simDeploy(bed.sim, 'Payments API', '2.3.0', 'Production');
      await eventually(async () =>
        (await events('octopus.deployment.succeeded')).some((e) => e.data.deploymentId === other.deploymentId) ? true : undefined,
      );
      const noted = await eventually(async () => {
        const list = (await events('test.noted')).filter((e) => (e.data as { deployment: string }).deployment === prod.deploymentId);
        return list.length > 0 ? list : undefined;
      });
      expect(noted.map((e) => e.data.category)).toEqual(['DeploymentSucceeded']);
      expect((await events('test.noted')).some((e) => (e.data as { deployment: string }).deployment === other.deploymentId)).toBe(false);
      const delivered = bed.sim.deliveries().filter((d) => d.category === 'DeploymentSucceeded' && d.status === 200);
      expect(delivered.length).toBeGreaterThan(2);
      const succeeded = (await events('octopus.deployment.succeeded')).filter((e) => e.data.deploymentId === prod.deploymentId);
      expect(succeeded).toHaveLength(1);
    } finally {
      bed.sim.setDelivery({ duplicate: false });
      await bed.t.api({ method: 'DELETE', url: '/api/v1/reactions/web-prod-done' });
    }
  });
});
