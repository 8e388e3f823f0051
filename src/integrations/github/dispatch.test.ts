import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Outcome } from '../../engine/action.js';
import { NonRetriableError, RetryAfterError } from '../../engine/action.js';
import type { ConnectionWithSecrets } from '../../core/connection.js';
import { STAND_IN_REPO, STAND_IN_TOKEN, startGitHubStandIn } from './stand-in.test-support.js';
import type { GitHubStandIn } from './stand-in.test-support.js';
import { connectionOf, contexts } from '../integration.test-support.js';
import type { DispatchConfig } from './dispatch.js';
import { dispatchAction } from './dispatch.js';

let gh: GitHubStandIn;
const made = contexts();

const connection = (secrets: Record<string, string> = {}): ConnectionWithSecrets =>
  connectionOf(
    'github',
    'github',
    { apiUrl: gh.url, owner: STAND_IN_REPO.owner, repo: STAND_IN_REPO.repo },
    { token: STAND_IN_TOKEN, ...secrets },
    'c1',
  );

function run(config: Partial<DispatchConfig> = {}, conn = connection()) {
  const { ctx } = made.make({ connections: { github: conn } });
  return dispatchAction.run(ctx, { connection: 'github', event_type: 'shipline-production-deploy', ...config }) as Promise<Outcome>;
}
const fail = (config: Partial<DispatchConfig> = {}, conn?: ConnectionWithSecrets) =>
  run(config, conn).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
const keys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));

beforeAll(async () => {
  gh = await startGitHubStandIn();
});
beforeEach(() => {
  gh.problems.length = 0;
});
afterAll(async () => {
  await made.closeAll();
  await gh.close();
});

describe('github.dispatch', () => {
  it("sends a repository_dispatch and ends on success with GitHub's 204", async () => {
    const payload = { service: 'api', version: '1.4.2', env: 'production' };
    expect(await run({ client_payload: payload })).toEqual({ channel: 'success', output: { dispatched: true } });
    const request = gh.requests.at(-1)!;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/repos/acme/api/dispatches');
    expect(request.headers).toMatchObject({
      authorization: `Bearer ${STAND_IN_TOKEN}`,
      accept: 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28',
      'content-type': 'application/json',
    });
    expect(request.headers['user-agent']).toBeTruthy();
    expect(JSON.parse(request.raw.toString())).toEqual({ event_type: 'shipline-production-deploy', client_payload: payload });
    expect(gh.dispatches.at(-1)).toEqual({ repo: 'acme/api', body: { event_type: 'shipline-production-deploy', client_payload: payload } });
    expect(gh.problems).toEqual([]);
  });

  it("accepts GitHub's limits exactly: 100 characters, 10 keys", async () => {
    await run({ event_type: 'e'.repeat(100), client_payload: keys(10) });
    expect(gh.dispatches.at(-1)?.body.event_type).toHaveLength(100);
  });

  it('refuses, before sending, an event_type over 100 characters or a payload over 10 keys', async () => {
    const count = gh.requests.length;
    const long = await fail({ event_type: 'e'.repeat(101) });
    expect(long).toBeInstanceOf(NonRetriableError);
    expect(long?.message).toBe('github.dispatch: event_type is 101 characters; GitHub allows at most 100');
    const wide = await fail({ client_payload: keys(11) });
    expect(wide).toBeInstanceOf(NonRetriableError);
    expect(wide?.message).toMatch(/client_payload has 11 top-level keys; GitHub allows at most 10/);
    expect(gh.requests).toHaveLength(count);
  });

  it("fails without retry on bad credentials and on 404 (no access), with GitHub's message", async () => {
    const denied = await fail({}, connection({ token: 'ghp_revoked' }));
    expect(denied).toBeInstanceOf(NonRetriableError);
    expect(denied?.message).toBe('GitHub 401 on POST /repos/acme/api/dispatches: Bad credentials');
    const missing = await fail({ owner: 'acme', repo: 'gone' });
    expect(missing).toBeInstanceOf(NonRetriableError);
    expect(missing?.message).toMatch(/^GitHub 404 on POST \/repos\/acme\/gone\/dispatches: Not Found/);
  });

  it('waits per Retry-After on 429 and retries 5xx', async () => {
    gh.failNext('/repos/acme/api/dispatches', {
      status: 429,
      headers: { 'retry-after': '5' },
      body: { message: 'API rate limit exceeded' },
    });
    const limited = await fail();
    expect(limited).toBeInstanceOf(RetryAfterError);
    expect((limited as RetryAfterError).retryAfterMs).toBe(5000);
    gh.failNext('/repos/acme/api/dispatches', { status: 500, body: { message: 'Server Error' } });
    const broken = await fail();
    expect(broken).not.toBeInstanceOf(NonRetriableError);
    expect(broken).not.toBeInstanceOf(RetryAfterError);
    expect(broken?.message).toBe('GitHub answered HTTP 500 to POST /repos/acme/api/dispatches: Server Error');
  });
});
