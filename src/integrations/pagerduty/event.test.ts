import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ShiplineEvent } from '../../core/vocabulary.js';
import type { Outcome } from '../../engine/action.js';
import { NonRetriableError, RetryAfterError } from '../../engine/action.js';
import type { ConnectionWithSecrets } from '../../core/connection.js';
import { startPagerDutyStandIn, STAND_IN_ROUTING_KEY } from './stand-in.test-support.js';
import type { PagerDutyStandIn } from './stand-in.test-support.js';
import { connectionOf, contexts } from '../integration.test-support.js';
import type { PagerDutyEventConfig } from './event.js';
import { pagerdutyEventAction } from './event.js';

let pd: PagerDutyStandIn;
const made = contexts();

const connection = (secrets: Record<string, string> = {}, config: Record<string, unknown> = {}): ConnectionWithSecrets =>
  connectionOf(
    'pagerduty',
    'pagerduty',
    { eventsUrl: pd.url, apiUrl: pd.url, ...config },
    { routingKey: STAND_IN_ROUTING_KEY, ...secrets },
    'c1',
  );

const failedDeploy: ShiplineEvent = {
  id: 'evt_1',
  type: 'deploy.recorded',
  source: 'deploy-endpoint:e',
  timestamp: '2025-03-01T12:00:00.000Z',
  data: {
    id: 'dep_1',
    service: { id: 'svc_1', name: 'api' },
    serviceAlias: 'api',
    environment: 'production',
    description: 'Release 1.4.2',
    deployedAt: '2025-03-01T12:00:00.000Z',
    deployUrl: 'https://ci.example/run/88',
    deployNumber: '42',
    dedupId: null,
    deployer: { id: null, email: 'alice@example.com', name: 'Alice' },
    commit: {
      sha: 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e',
      message: 'Fix',
      branch: 'main',
      date: null,
      committer_name: null,
      committer_email: null,
      author_name: null,
      author_email: null,
      authoring_date: null,
    },
    status: 'failed',
    source: 'custom',
  },
};

const octopusFailed: ShiplineEvent = {
  id: 'evt_2',
  type: 'octopus.deployment.failed',
  source: 'connection:prod',
  timestamp: '2025-03-01T12:05:00.000Z',
  data: {
    eventType: 'DeploymentFailed',
    category: 'DeploymentFailed',
    timestamp: '2025-03-01T12:05:01.000Z',
    occurredAt: '2025-03-01T12:05:00.000Z',
    message: 'Deploy to Production failed for Acme Web release 1.4.2 to Production',
    projectId: 'Projects-1',
    environmentId: 'Environments-2',
    releaseId: 'Releases-3',
    deploymentId: 'Deployments-4',
    serverUri: 'https://octopus.example',
    taskId: 'ServerTasks-5',
    spaceId: 'Spaces-1',
    projectName: 'Acme Web',
    environmentName: 'Production',
    releaseVersion: '1.4.2',
  },
};

function context(event: ShiplineEvent = failedDeploy, conn = connection()) {
  return made.make({ event, connections: { pagerduty: conn } });
}

const run = (config: Partial<PagerDutyEventConfig> = {}, event?: ShiplineEvent, conn?: ConnectionWithSecrets) =>
  pagerdutyEventAction.run(context(event, conn).ctx, { connection: 'pagerduty', ...config }) as Promise<Outcome>;
const lastRequest = () => pd.requests.at(-1)!;

beforeAll(async () => {
  pd = await startPagerDutyStandIn();
});
beforeEach(() => {
  pd.problems.length = 0;
});
afterAll(async () => {
  await made.closeAll();
  await pd.close();
});

describe('pagerduty.event', () => {
  it('triggers an alert from a failed deploy with nothing but the connection', async () => {
    const outcome = await run();
    expect(outcome).toEqual({
      channel: 'success',
      output: { dedup_key: 'shipline/api/production', status: 'success', message: 'Event processed' },
    });
    const request = lastRequest();
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/v2/enqueue');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers.authorization).toBeUndefined();
    expect(JSON.parse(request.raw.toString())).toEqual({
      routing_key: STAND_IN_ROUTING_KEY,
      event_action: 'trigger',
      dedup_key: 'shipline/api/production',
      payload: {
        summary: 'Deploy api #42 to production failed',
        source: 'shipline',
        severity: 'error',
        timestamp: '2025-03-01T12:00:00.000Z',
        component: 'api',
        group: 'production',
        class: 'deploy',
        custom_details: {
          service: 'api',
          environment: 'production',
          status: 'failed',
          deploy_number: '42',
          description: 'Release 1.4.2',
          deployer: 'Alice',
          commit: 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e',
          branch: 'main',
          commit_message: 'Fix',
          source: 'custom',
          deploy_id: 'dep_1',
        },
      },
      links: [{ href: 'https://ci.example/run/88', text: 'Deploy' }],
      client: 'Shipline',
    });
    expect(pd.alerts.get('shipline/api/production')?.status).toBe('triggered');
    expect(pd.problems).toEqual([]);
  });

  it('resolves the same alert from the next successful deploy of that service and environment', async () => {
    await run({ dedup_key: undefined });
    const success = {
      ...failedDeploy,
      id: 'evt_ok',
      data: { ...(failedDeploy.data as object), id: 'dep_2', deployNumber: '43', status: 'succeeded' },
    };
    const outcome = await run({ action: 'resolve' }, success);
    expect(outcome.output).toEqual({ dedup_key: 'shipline/api/production', status: 'success', message: 'Event processed' });
    expect(JSON.parse(lastRequest().raw.toString())).toEqual({
      routing_key: STAND_IN_ROUTING_KEY,
      event_action: 'resolve',
      dedup_key: 'shipline/api/production',
    });
    expect(pd.alerts.get('shipline/api/production')?.status).toBe('resolved');
  });

  it('defaults from an Octopus deployment event, and lets the step override every field', async () => {
    await run({}, octopusFailed);
    const sent = JSON.parse(lastRequest().raw.toString()) as { dedup_key: string; payload: Record<string, unknown>; links: unknown };
    expect(sent.dedup_key).toBe('shipline/Acme Web/Production');
    expect(sent.payload).toMatchObject({
      summary: 'Deploy to Production failed for Acme Web release 1.4.2 to Production',
      component: 'Acme Web',
      group: 'Production',
      timestamp: '2025-03-01T12:05:00.000Z',
      custom_details: {
        project: 'Acme Web',
        environment: 'Production',
        release: '1.4.2',
        deployment_id: 'Deployments-4',
        task_id: 'ServerTasks-5',
      },
    });
    expect(sent.links).toEqual([{ href: 'https://octopus.example/app#/Spaces-1/deployments/Deployments-4', text: 'Octopus deployment' }]);

    await run({
      summary: 'Checkout is down',
      severity: 'critical',
      source: 'checkout.example',
      dedup_key: 'mine',
      component: 'db',
      group: 'eu',
      class: 'outage',
      custom_details: { a: 1 },
      links: [{ href: 'https://x.example' }],
    });
    expect(JSON.parse(lastRequest().raw.toString())).toMatchObject({
      dedup_key: 'mine',
      payload: {
        summary: 'Checkout is down',
        severity: 'critical',
        source: 'checkout.example',
        component: 'db',
        group: 'eu',
        class: 'outage',
        custom_details: { a: 1 },
      },
      links: [{ href: 'https://x.example' }],
    });
  });

  it('cuts a summary longer than PagerDuty allows', async () => {
    await run({ summary: 'x'.repeat(2000) });
    const sent = JSON.parse(lastRequest().raw.toString()) as { payload: { summary: string } };
    expect(sent.payload.summary).toHaveLength(1024);
  });

  it('needs a summary to trigger, and a dedup_key to resolve, on an event without defaults', async () => {
    const other: ShiplineEvent = { id: 'e', type: 'webhook.ci', source: 'x', timestamp: '2025-03-01T00:00:00Z', data: {} };
    const count = pd.requests.length;
    await expect(run({}, other)).rejects.toBeInstanceOf(NonRetriableError);
    await expect(run({ action: 'resolve' }, other)).rejects.toThrow(/dedup_key.*required to resolve/);
    expect(pd.requests).toHaveLength(count);
    // Without a dedup_key PagerDuty makes one; the output carries it for a later step.
    const outcome = await run({ summary: 'CI is red' }, other);
    expect((outcome.output as { dedup_key: string }).dedup_key).toMatch(/^[0-9a-f]{32}$/);
  });

  it("fails without retry on an unknown routing key, with PagerDuty's errors", async () => {
    const error = await run({}, failedDeploy, connection({ routingKey: 'a'.repeat(32) })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonRetriableError);
    expect((error as Error).message).toBe('PagerDuty refused the event (HTTP 400): Event object is invalid: Invalid routing key');
    const short = await run({}, failedDeploy, connection({ routingKey: 'short-key' })).catch((e: unknown) => e);
    expect((short as Error).message).toContain("Length of 'routing_key' is incorrect (should be 32 characters)");
    expect((short as Error).message).toContain("'routing_key' cannot contain non-alphanumeric characters.");
  });

  it('fails without retry on 404 with a hint about the URL', async () => {
    const error = await run({}, failedDeploy, connection({}, { eventsUrl: `${pd.url}/nowhere` })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonRetriableError);
    expect((error as Error).message).toMatch(/404 for POST .*\/nowhere\/v2\/enqueue: is eventsUrl right/);
  });

  it('backs off 30 s on 429, PagerDuty sending no Retry-After', async () => {
    pd.failNext('/v2/enqueue', { status: 429, body: '' });
    const error = await run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryAfterError);
    expect((error as RetryAfterError).retryAfterMs).toBe(30_000);
  });

  it('honours a Retry-After header if one is ever sent', async () => {
    pd.failNext('/v2/enqueue', { status: 429, headers: { 'retry-after': '7' }, body: '' });
    const error = await run().catch((e: unknown) => e);
    expect((error as RetryAfterError).retryAfterMs).toBe(7000);
  });

  it('throws a retriable error on 5xx', async () => {
    pd.failNext('/v2/enqueue', { status: 503, body: '{"status":"unavailable","message":"Service Unavailable"}' });
    const error = await run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(NonRetriableError);
    expect(error).not.toBeInstanceOf(RetryAfterError);
    expect((error as Error).message).toBe('PagerDuty answered HTTP 503: Service Unavailable');
  });

  it('refuses a connection of another type without retry', async () => {
    const slack = { ...connection(), type: 'slack' };
    await expect(run({}, failedDeploy, slack)).rejects.toBeInstanceOf(NonRetriableError);
  });
});
