import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ShiplineEvent } from '../../core/vocabulary.js';
import type { Outcome } from '../../engine/action.js';
import { NonRetriableError, RetryAfterError } from '../../engine/action.js';
import type { ConnectionWithSecrets } from '../../core/connection.js';
import { startPagerDutyStandIn, STAND_IN_ROUTING_KEY } from './stand-in.test-support.js';
import type { PagerDutyStandIn } from './stand-in.test-support.js';
import { connectionOf, contexts } from '../integration.test-support.js';
import type { PagerDutyChangeEventConfig } from './change-event.js';
import { pagerdutyChangeEventAction } from './change-event.js';

let pd: PagerDutyStandIn;
const made = contexts();

const connection = (secrets: Record<string, string> = {}, config: Record<string, unknown> = {}): ConnectionWithSecrets =>
  connectionOf('pagerduty', 'pagerduty', { eventsUrl: pd.url, ...config }, { routingKey: STAND_IN_ROUTING_KEY, ...secrets }, 'c1');

const deployed: ShiplineEvent = {
  id: 'evt_1',
  type: 'deploy.recorded',
  source: 'deploy-endpoint:e',
  timestamp: '2025-03-01T12:00:00.000Z',
  data: {
    id: 'dep_1',
    service: null,
    serviceAlias: 'api',
    environment: 'production',
    description: 'Release 1.4.2',
    deployedAt: '2025-03-01T12:00:00.000Z',
    deployUrl: 'https://ci.example/run/88',
    deployNumber: '42',
    dedupId: null,
    deployer: { id: null, email: 'alice@example.com', name: null },
    commit: null,
    status: 'succeeded',
    source: 'custom',
  },
};

const octopusSucceeded: ShiplineEvent = {
  id: 'evt_2',
  type: 'octopus.deployment.succeeded',
  source: 'connection:prod',
  timestamp: '2025-03-01T12:05:00.000Z',
  data: {
    eventType: 'DeploymentSucceeded',
    category: 'DeploymentSucceeded',
    timestamp: null,
    occurredAt: '2025-03-01T12:05:00.000Z',
    message: '',
    projectId: 'Projects-1',
    environmentId: 'Environments-2',
    releaseId: 'Releases-3',
    deploymentId: 'Deployments-4',
    serverUri: null,
    projectName: 'Acme Web',
    environmentName: 'Production',
    releaseVersion: '1.4.2',
  },
};

function context(event: ShiplineEvent, conn: ConnectionWithSecrets) {
  return made.make({ event, connections: { pagerduty: conn } });
}

const run = (
  config: Partial<PagerDutyChangeEventConfig> = {},
  event: ShiplineEvent = deployed,
  conn: ConnectionWithSecrets = connection(),
) => pagerdutyChangeEventAction.run(context(event, conn).ctx, { connection: 'pagerduty', ...config }) as Promise<Outcome>;
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

describe('pagerduty.changeEvent', () => {
  it('sends a successful deploy as a change event with nothing but the connection', async () => {
    const outcome = await run();
    expect(outcome).toEqual({ channel: 'success', output: { status: 'success', message: 'Change event processed' } });
    const request = lastRequest();
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/v2/change/enqueue');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers.authorization).toBeUndefined();
    expect(JSON.parse(request.raw.toString())).toEqual({
      routing_key: STAND_IN_ROUTING_KEY,
      payload: {
        summary: 'Deployed api #42 to production',
        source: 'shipline',
        timestamp: '2025-03-01T12:00:00.000Z',
        custom_details: {
          service: 'api',
          environment: 'production',
          status: 'succeeded',
          deploy_number: '42',
          description: 'Release 1.4.2',
          deployer: 'alice@example.com',
          source: 'custom',
          deploy_id: 'dep_1',
        },
      },
      links: [{ href: 'https://ci.example/run/88', text: 'Deploy' }],
    });
    expect(pd.changes).toHaveLength(1);
    expect(pd.problems).toEqual([]);
  });

  it("defaults from an Octopus deployment, and takes the step's own fields", async () => {
    await run({}, octopusSucceeded);
    const sent = JSON.parse(lastRequest().raw.toString()) as { payload: Record<string, unknown>; links?: unknown };
    expect(sent.payload).toMatchObject({ summary: 'Deployed Acme Web 1.4.2 to Production', timestamp: '2025-03-01T12:05:00.000Z' });
    expect(sent.links).toBeUndefined();
    await run({
      summary: 'Feature flag checkout-v2 on',
      source: 'flags',
      timestamp: '2025-03-02T00:00:00Z',
      custom_details: { flag: 'checkout-v2' },
      links: [{ href: 'https://flags.example', text: 'Flag' }],
    });
    expect(JSON.parse(lastRequest().raw.toString())).toEqual({
      routing_key: STAND_IN_ROUTING_KEY,
      payload: {
        summary: 'Feature flag checkout-v2 on',
        source: 'flags',
        timestamp: '2025-03-02T00:00:00Z',
        custom_details: { flag: 'checkout-v2' },
      },
      links: [{ href: 'https://flags.example', text: 'Flag' }],
    });
  });

  it('needs a summary for an event without defaults', async () => {
    const other: ShiplineEvent = { id: 'e', type: 'webhook.ci', source: 'x', timestamp: '2025-03-01T00:00:00Z', data: {} };
    await expect(run({}, other)).rejects.toBeInstanceOf(NonRetriableError);
  });

  it("fails without retry on an invalid routing key, with PagerDuty's errors", async () => {
    const error = await run({}, deployed, connection({ routingKey: 'b'.repeat(32) })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonRetriableError);
    expect((error as Error).message).toBe('PagerDuty refused the event (HTTP 400): Event object is invalid: Invalid routing key');
  });

  it('fails without retry on 404', async () => {
    const error = await run({}, deployed, connection({}, { eventsUrl: `${pd.url}/wrong` })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonRetriableError);
    expect((error as Error).message).toMatch(/404 for POST .*\/wrong\/v2\/change\/enqueue/);
  });

  it('waits 30 s on 429 and retries 5xx', async () => {
    pd.failNext('/v2/change/enqueue', { status: 429 });
    const limited = await run().catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(RetryAfterError);
    expect((limited as RetryAfterError).retryAfterMs).toBe(30_000);
    pd.failNext('/v2/change/enqueue', { status: 500, body: 'upstream error' });
    const failed = await run().catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(Error);
    expect(failed).not.toBeInstanceOf(NonRetriableError);
    expect((failed as Error).message).toBe('PagerDuty answered HTTP 500: upstream error');
  });
});
