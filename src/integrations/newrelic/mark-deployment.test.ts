import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ShiplineEvent } from '../../core/vocabulary.js';
import { NonRetriableError, RetryAfterError } from '../../engine/action.js';
import type { ConnectionWithSecrets } from '../../core/connection.js';
import { NEWRELIC_KEY, NewRelicStandIn } from './stand-in.test-support.js';
import { connectionOf, contexts, deployFixture, failedDeploy } from '../integration.test-support.js';
import { markDeploymentAction } from './mark-deployment.js';
import type { MarkDeploymentConfig } from './mark-deployment.js';

const API_GUID = 'MXxBUE18QVBQTElDQVRJT058MTIz';
const nr = new NewRelicStandIn();
const made = contexts();

/** The fixture deploy, made to have happened a minute ago (New Relic takes ±24 h). */
function deployEvent(at = new Date(Date.now() - 60_000)): ShiplineEvent {
  const event = failedDeploy();
  return { ...event, data: { ...(event.data as object), status: 'succeeded', deployedAt: at.toISOString() } };
}

function connection(apiKey = NEWRELIC_KEY, apiUrl = nr.apiUrl): ConnectionWithSecrets {
  return connectionOf('newrelic', 'newrelic', { apiUrl }, { apiKey }, 'c-nr');
}

function mark(config: Partial<MarkDeploymentConfig> = {}, options: { event?: ShiplineEvent; conn?: ConnectionWithSecrets } = {}) {
  const { ctx } = made.make({ connections: { newrelic: options.conn ?? connection() }, event: options.event ?? deployEvent() });
  return markDeploymentAction.run(ctx, { connection: 'newrelic', ...config });
}

const variables = (i: number) => (nr.requests[i]!.json as { variables: Record<string, unknown> }).variables;

beforeAll(() => nr.start());
afterAll(async () => {
  await made.closeAll();
  await nr.close();
});
beforeEach(() => nr.reset());

describe('newrelic.markDeployment', () => {
  it('creates the deployment with the API key, filling version, commit, link, user, description and time from the deploy', async () => {
    const at = new Date(Date.now() - 60_000);
    const result = await mark({ entityGuid: API_GUID, deploymentType: 'ROLLING' }, { event: deployEvent(at) });
    const created = nr.deployments[0]!;
    expect(result).toEqual({ channel: 'success', output: { deploymentId: created.deploymentId, entityGuid: API_GUID, version: '1.4.2' } });
    expect(nr.requests).toHaveLength(1);
    const request = nr.requests[0]!;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/graphql');
    expect(request.headers['api-key']).toBe(NEWRELIC_KEY);
    expect(request.headers['content-type']).toBe('application/json');
    expect((request.json as { query: string }).query).toMatch(/mutation \(\$deployment: ChangeTrackingDeploymentInput!\)/);
    expect(variables(0)).toEqual({
      deployment: {
        entityGuid: API_GUID,
        version: '1.4.2',
        commit: 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e',
        deepLink: 'https://ci.example/run/88',
        user: 'alice@example.com',
        description: 'Run 88 failed at step migrate',
        deploymentType: 'ROLLING',
        timestamp: at.getTime(),
      },
    });
    expect(nr.violations).toEqual([]);
  });

  it('finds the APM application named like the service when no entity is given', async () => {
    const result = await mark();
    expect(variables(0)).toEqual({ query: "domain = 'APM' AND type = 'APPLICATION' AND name = 'api'" });
    expect((nr.requests[0]!.json as { query: string }).query).toMatch(/entitySearch\(query: \$query\)/);
    expect((variables(1).deployment as { entityGuid: string }).entityGuid).toBe(API_GUID);
    expect((result as { output: { entityGuid: string } }).output.entityGuid).toBe(API_GUID);
  });

  it("takes an Octopus deployment's release version, message and task link", async () => {
    const octopus = deployFixture('octopus-deployment-succeeded.json');
    const occurredAt = new Date(Date.now() - 30_000).toISOString();
    await mark({ entityGuid: API_GUID }, { event: { ...octopus, data: { ...(octopus.data as object), occurredAt } } });
    expect(variables(0).deployment).toEqual({
      entityGuid: API_GUID,
      version: '2.7.0',
      deepLink: 'https://acme.octopus.app/app#/Spaces-1/tasks/ServerTasks-5678',
      description: 'Deploy to Production succeeded for Checkout release 2.7.0 to Production',
      timestamp: Date.parse(occurredAt),
    });
  });

  it('lets New Relic use now for an event older than 24 hours', async () => {
    await mark({ entityGuid: API_GUID }, { event: deployEvent(new Date(Date.now() - 3 * 86_400_000)) });
    expect(variables(0).deployment).not.toHaveProperty('timestamp');
    expect(nr.deployments).toHaveLength(1);
  });

  it('fails without retrying when the search finds no entity or several', async () => {
    await expect(mark({ entitySearch: "name = 'nothing'" })).rejects.toThrow(/no entity matches name = 'nothing'/);
    const error = await mark({ entitySearch: "name = 'twin'" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonRetriableError);
    expect((error as Error).message).toMatch(/2 entities match name = 'twin': twin \(MXxB.*\), twin \(MnxB.*\); set entityGuid/);
    expect(nr.deployments).toHaveLength(0);
  });

  it("fails without retrying on New Relic's GraphQL errors (HTTP 200 with errors), with its message", async () => {
    const unknown = await mark({ entityGuid: 'NOPE' }).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(NonRetriableError);
    expect((unknown as Error).message).toBe('New Relic: Entity with guid NOPE not found');
    const late = await mark({ entityGuid: API_GUID, timestamp: '2020-01-01T00:00:00Z' }).catch((e: unknown) => e);
    expect(late).toBeInstanceOf(NonRetriableError);
    expect((late as Error).message).toBe('New Relic: Timestamp is outside the allowed range');
  });

  it('fails without retrying on a bad API key, answered with 401 or with BAD_API_KEY', async () => {
    const refused = await mark({ entityGuid: API_GUID }, { conn: connection('NRAK-WRONG') }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(NonRetriableError);
    expect((refused as Error).message).toBe('New Relic refused the API key: Invalid API key');
    nr.failNext({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: '{"errors":[{"message":"Invalid API key","extensions":{"error_code":"BAD_API_KEY"}}]}',
    });
    await expect(mark({ entityGuid: API_GUID })).rejects.toThrow(/refused the API key/);
  });

  it('retries GraphQL errors New Relic classes as timeouts or server errors', async () => {
    nr.failNext({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: '{"data":{"changeTrackingCreateDeployment":null},"errors":[{"message":"Upstream timed out","extensions":{"errorClass":"TIMEOUT"}}]}',
    });
    const error = await mark({ entityGuid: API_GUID }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(NonRetriableError);
    expect((error as Error).message).toBe('New Relic: Upstream timed out');
  });

  it('asks to be retried after Retry-After on 429, and retries 5xx', async () => {
    nr.failNext({ status: 429, headers: { 'retry-after': '12' }, body: '{"errors":[{"message":"Too many requests"}]}' });
    const limited = await mark({ entityGuid: API_GUID }).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(RetryAfterError);
    expect((limited as RetryAfterError).retryAfterMs).toBe(12_000);
    nr.failNext({ status: 503, headers: { 'content-type': 'text/plain' }, body: 'Service Unavailable' });
    const failed = await mark({ entityGuid: API_GUID }).catch((e: unknown) => e);
    expect(failed).not.toBeInstanceOf(NonRetriableError);
    expect((failed as Error).message).toBe('New Relic answered 503: Service Unavailable');
  });

  it('fails clearly on a wrong endpoint (404)', async () => {
    const error = await mark({ entityGuid: API_GUID }, { conn: connection(NEWRELIC_KEY, `${nr.url}/graphq`) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonRetriableError);
    expect((error as Error).message).toBe('New Relic answered 404: Not Found');
  });

  it('refuses to mark without a version', async () => {
    await expect(
      mark({ entityGuid: API_GUID }, { event: { id: 'e', type: 'webhook.x', source: 's', timestamp: new Date().toISOString(), data: {} } }),
    ).rejects.toThrow(/no version/);
    expect(nr.requests).toHaveLength(0);
  });
});
