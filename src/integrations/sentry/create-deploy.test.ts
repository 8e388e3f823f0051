import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ShiplineEvent } from '../../core/vocabulary.js';
import { NonRetriableError, RetryAfterError } from '../../engine/action.js';
import type { ConnectionWithSecrets } from '../../core/connection.js';
import { SENTRY_ORG, SENTRY_TOKEN, SentryStandIn } from './stand-in.test-support.js';
import { connectionOf, contexts, deployFixture, failedDeploy } from '../integration.test-support.js';
import { createDeployAction } from './create-deploy.js';
import type { CreateDeployConfig } from './create-deploy.js';

const succeeded = (() => {
  const event = failedDeploy();
  return { ...event, data: { ...(event.data as object), status: 'succeeded' } };
})();
const sentry = new SentryStandIn();
const made = contexts();

function connection(config: Record<string, unknown> = {}, authToken = SENTRY_TOKEN): ConnectionWithSecrets {
  return connectionOf(
    'sentry',
    'sentry',
    { apiUrl: sentry.url, organization: SENTRY_ORG, project: 'api', ...config },
    { authToken },
    'c-sentry',
  );
}

function deploy(config: Partial<CreateDeployConfig> = {}, options: { event?: ShiplineEvent; conn?: ConnectionWithSecrets } = {}) {
  const { ctx } = made.make({ connections: { sentry: options.conn ?? connection() }, event: options.event ?? succeeded });
  return createDeployAction.run(ctx, { connection: 'sentry', ...config });
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e as Error,
  );

beforeAll(() => sentry.start());
afterAll(async () => {
  await made.closeAll();
  await sentry.close();
});
beforeEach(() => sentry.reset());

describe('sentry.createDeploy', () => {
  it('creates the release, then the deploy, with a Bearer token, filled from the deploy', async () => {
    const result = await deploy();
    const stored = sentry.releases.get('1.4.2')!;
    expect(result).toEqual({ channel: 'success', output: { id: stored.deploys[0]!.id, version: '1.4.2', environment: 'production' } });
    expect(sentry.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST /api/0/organizations/${SENTRY_ORG}/releases/`,
      `POST /api/0/organizations/${SENTRY_ORG}/releases/1.4.2/deploys/`,
    ]);
    for (const request of sentry.requests) {
      expect(request.headers.authorization).toBe(`Bearer ${SENTRY_TOKEN}`);
      expect(request.headers['content-type']).toBe('application/json');
    }
    expect(sentry.requests[0]!.json).toEqual({ version: '1.4.2', projects: ['api'], ref: 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e' });
    expect(sentry.requests[1]!.json).toEqual({
      environment: 'production',
      url: 'https://ci.example/run/88',
      dateFinished: '2026-03-01T12:03:12.000Z',
    });
    expect(sentry.violations).toEqual([]);
  });

  it('deploys a release that is already there (208), and URL-encodes the version', async () => {
    await deploy({ version: 'api@1.4.2' });
    const again = await deploy({
      version: 'api@1.4.2',
      environment: 'staging',
      name: 'shipline run 88',
      dateStarted: '2026-03-01T12:00:00Z',
      projects: ['api'],
    });
    expect((again as { output: unknown }).output).toMatchObject({ version: 'api@1.4.2', environment: 'staging' });
    expect(sentry.requests[3]!.path).toBe(`/api/0/organizations/${SENTRY_ORG}/releases/api%401.4.2/deploys/`);
    expect(sentry.requests[3]!.json).toEqual({
      environment: 'staging',
      name: 'shipline run 88',
      url: 'https://ci.example/run/88',
      dateStarted: '2026-03-01T12:00:00.000Z',
      dateFinished: '2026-03-01T12:03:12.000Z',
      projects: ['api'],
    });
    expect(sentry.releases.get('api@1.4.2')!.deploys).toHaveLength(2);
  });

  it("takes an Octopus deployment's release version, environment and task link", async () => {
    await deploy({}, { event: deployFixture('octopus-deployment-succeeded.json') });
    expect(sentry.requests[0]!.json).toEqual({ version: '2.7.0', projects: ['api'] });
    expect(sentry.requests[1]!.json).toEqual({
      environment: 'Production',
      url: 'https://acme.octopus.app/app#/Spaces-1/tasks/ServerTasks-5678',
      dateFinished: '2026-03-01T12:04:58.000Z',
    });
  });

  it("fails without retrying on a bad token (401), with Sentry's message", async () => {
    const error = await failure(deploy({}, { conn: connection({}, 'sntryu_wrong') }));
    expect(error).toBeInstanceOf(NonRetriableError);
    expect(error!.message).toBe(`Sentry POST /api/0/organizations/${SENTRY_ORG}/releases/ answered 401: Invalid token`);
  });

  it('fails clearly on an unknown organization (404) and on projects Sentry does not know (400)', async () => {
    const unknown = await failure(deploy({}, { conn: connection({ organization: 'nope' }) }));
    expect(unknown).toBeInstanceOf(NonRetriableError);
    expect(unknown!.message).toBe('Sentry POST /api/0/organizations/nope/releases/ answered 404: The requested resource does not exist');
    await expect(deploy({ projects: ['mobile'] })).rejects.toThrow('answered 400: projects: Invalid project ids or slugs');
  });

  it('refuses versions Sentry refuses, and steps without a project or environment, before asking', async () => {
    await expect(deploy({ version: 'feature/x' })).rejects.toThrow(/contains "\/"/);
    await expect(deploy({ version: 'latest' })).rejects.toThrow(/is reserved/);
    await expect(deploy({}, { conn: connection({ project: undefined }) })).rejects.toThrow(/no project/);
    await expect(deploy({}, { event: { ...succeeded, data: { ...(succeeded.data as object), environment: null } } })).rejects.toThrow(
      /no environment/,
    );
    expect(sentry.requests).toHaveLength(0);
  });

  it('asks to be retried after Retry-After, or when X-Sentry-Rate-Limit-Reset comes (429)', async () => {
    sentry.failNext({
      status: 429,
      headers: { 'retry-after': '9', 'content-type': 'application/json' },
      body: '{"detail":"Too many requests"}',
    });
    const limited = await failure(deploy());
    expect(limited).toBeInstanceOf(RetryAfterError);
    expect((limited as RetryAfterError).retryAfterMs).toBe(9000);
    sentry.rateLimitNext(Math.floor(Date.now() / 1000) + 30);
    const reset = (await failure(deploy())) as RetryAfterError;
    expect(reset).toBeInstanceOf(RetryAfterError);
    expect(reset.retryAfterMs).toBeGreaterThan(25_000);
    expect(reset.retryAfterMs).toBeLessThanOrEqual(30_000);
  });

  it('retries 5xx, also when the release was created but the deploy failed', async () => {
    await deploy();
    sentry.requests.length = 0;
    sentry.failNext({ status: 208, headers: { 'content-type': 'application/json' }, body: '{"version":"1.4.2"}' });
    sentry.failNext({ status: 502, headers: { 'content-type': 'text/html' }, body: '<html>502 Bad Gateway</html>' });
    const error = await failure(deploy());
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(NonRetriableError);
    expect(error!.message).toMatch(/deploys\/ answered 502/);
  });
});
