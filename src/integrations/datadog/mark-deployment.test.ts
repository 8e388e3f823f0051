import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ShiplineEvent } from '../../core/vocabulary.js';
import { NonRetriableError, RetryAfterError } from '../../engine/action.js';
import type { ConnectionWithSecrets } from '../../core/connection.js';
import { DATADOG_API_KEY, DatadogStandIn } from './stand-in.test-support.js';
import { connectionOf, contexts, deployFixture, failedDeploy } from '../integration.test-support.js';
import { markDeploymentAction } from './mark-deployment.js';
import type { MarkDeploymentConfig } from './mark-deployment.js';

const succeeded = (() => {
  const event = failedDeploy();
  return { ...event, data: { ...(event.data as object), status: 'succeeded', deployedAt: '2026-03-01T12:03:12.345Z' } };
})();
const dd = new DatadogStandIn();
const made = contexts();

function connection(secrets: Record<string, string> = { apiKey: DATADOG_API_KEY }, apiUrl = dd.url): ConnectionWithSecrets {
  return connectionOf('datadog', 'datadog', { site: 'datadoghq.eu', apiUrl }, secrets, 'c-dd');
}

function mark(config: Partial<MarkDeploymentConfig> = {}, options: { event?: ShiplineEvent; conn?: ConnectionWithSecrets } = {}) {
  const { ctx } = made.make({ connections: { datadog: options.conn ?? connection() }, event: options.event ?? succeeded });
  return markDeploymentAction.run(ctx, { connection: 'datadog', ...config });
}

beforeAll(() => dd.start());
afterAll(async () => {
  await made.closeAll();
  await dd.close();
});
beforeEach(() => dd.reset());

describe('datadog.markDeployment', () => {
  it('posts a DORA deployment with the API key, filled from the deploy, times in exact nanoseconds', async () => {
    const result = await mark({ repositoryUrl: 'https://github.com/acme/api', team: 'platform' });
    expect(result).toEqual({ channel: 'success', output: { id: dd.deployments[0]!.id, delayed: false } });
    const request = dd.requests[0]!;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/api/v2/dora/deployment');
    expect(request.headers['dd-api-key']).toBe(DATADOG_API_KEY);
    expect(request.headers).not.toHaveProperty('dd-application-key');
    expect(request.headers['content-type']).toBe('application/json');
    const raw = request.raw.toString('utf8');
    expect(raw).toContain('"started_at":1772366592345000000');
    expect(raw).toContain('"finished_at":1772366592345000000');
    expect(dd.deployments[0]!.finishedAt).toBe(1772366592345000000n);
    const attributes = (request.json as { data: { attributes: Record<string, unknown> } }).data.attributes;
    expect({ ...attributes, started_at: undefined, finished_at: undefined }).toEqual({
      service: 'api',
      env: 'production',
      version: '1.4.2',
      git: { commit_sha: 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e', repository_url: 'https://github.com/acme/api' },
      team: 'platform',
      id: 'shipline-0195a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5c',
      custom_tags: ['source:shipline'],
      started_at: undefined,
      finished_at: undefined,
    });
  });

  it('leaves the commit out without a repository URL, and takes given times, service and tags', async () => {
    const result = await mark({
      service: 'billing',
      env: 'staging',
      startedAt: '2026-03-01T12:00:00Z',
      finishedAt: '1772366592000',
      tags: ['team:payments'],
    });
    expect(result).toMatchObject({ channel: 'success' });
    const attributes = (dd.requests[0]!.json as { data: { attributes: Record<string, unknown> } }).data.attributes;
    expect(attributes).not.toHaveProperty('git');
    expect(attributes).toMatchObject({ service: 'billing', env: 'staging', custom_tags: ['team:payments'] });
    expect(dd.deployments[0]!.startedAt).toBe(1772366400000000000n);
    expect(dd.deployments[0]!.finishedAt).toBe(1772366592000000000n);
  });

  it("takes an Octopus deployment's project, environment, release and time", async () => {
    await mark({}, { event: deployFixture('octopus-deployment-succeeded.json') });
    const attributes = (dd.requests[0]!.json as { data: { attributes: Record<string, unknown> } }).data.attributes;
    expect(attributes).toMatchObject({ service: 'Checkout', env: 'Production', version: '2.7.0', id: 'shipline-Deployments-1234' });
    expect(dd.deployments[0]!.finishedAt).toBe(BigInt(Date.parse('2026-03-01T12:04:58.000+00:00')) * 1_000_000n);
  });

  it('sends the application key when the connection has one', async () => {
    await mark({}, { conn: connection({ apiKey: DATADOG_API_KEY, appKey: 'app-key-1' }) });
    expect(dd.requests[0]!.headers['dd-application-key']).toBe('app-key-1');
  });

  it('reports a delayed (202) intake as success', async () => {
    dd.failNext({
      status: 202,
      headers: { 'content-type': 'application/json' },
      body: '{"data":{"id":"4242fcdd31586083","type":"dora_deployment"}}',
    });
    expect(await mark()).toEqual({ channel: 'success', output: { id: '4242fcdd31586083', delayed: true } });
  });

  it("fails without retrying on a bad API key (403), with Datadog's message", async () => {
    const error = await mark({}, { conn: connection({ apiKey: 'wrong' }) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonRetriableError);
    expect((error as Error).message).toBe('Datadog POST /api/v2/dora/deployment answered 403: Forbidden');
  });

  it('fails without retrying on a body Datadog refuses (400)', async () => {
    const error = await mark({ startedAt: '2026-03-01T13:00:00Z' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonRetriableError);
    expect((error as Error).message).toMatch(/startedAt is after finishedAt/);
    dd.failNext({
      status: 400,
      headers: { 'content-type': 'application/json' },
      body: '{"errors":[{"status":"400","title":"Bad Request","detail":"invalid service"}]}',
    });
    await expect(mark()).rejects.toThrow('Datadog POST /api/v2/dora/deployment answered 400: Bad Request: invalid service');
  });

  it('fails clearly on a wrong base URL (404)', async () => {
    const error = await mark({}, { conn: connection({ apiKey: DATADOG_API_KEY }, `${dd.url}/proxy`) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonRetriableError);
    expect((error as Error).message).toBe('Datadog POST /api/v2/dora/deployment answered 404: Not found');
  });

  it('asks to be retried when the rate limit resets (429 X-RateLimit-Reset), or after Retry-After', async () => {
    dd.rateLimitNext(17);
    const limited = await mark().catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(RetryAfterError);
    expect((limited as RetryAfterError).retryAfterMs).toBe(17_000);
    dd.failNext({ status: 429, headers: { 'retry-after': '4' }, body: '{"errors":["Too many requests"]}' });
    expect(((await mark().catch((e: unknown) => e)) as RetryAfterError).retryAfterMs).toBe(4000);
  });

  it('retries 5xx', async () => {
    dd.failNext({ status: 500, headers: { 'content-type': 'application/json' }, body: '{"errors":["Internal Server Error"]}' });
    const error = await mark().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(NonRetriableError);
    expect(error).not.toBeInstanceOf(RetryAfterError);
    expect((error as Error).message).toBe('Datadog POST /api/v2/dora/deployment answered 500: Internal Server Error');
  });

  it('refuses an event without a service', async () => {
    await expect(
      mark({}, { event: { id: 'e', type: 'webhook.x', source: 's', timestamp: '2026-03-01T12:00:00Z', data: {} } }),
    ).rejects.toThrow(/no service/);
    expect(dd.requests).toHaveLength(0);
  });
});
