import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Outcome } from '../../engine/action.js';
import { NonRetriableError, RetryAfterError } from '../../engine/action.js';
import type { ConnectionWithSecrets } from '../../core/connection.js';
import { STAND_IN_REPO, STAND_IN_TOKEN, startGitHubStandIn } from './stand-in.test-support.js';
import type { GitHubStandIn } from './stand-in.test-support.js';
import { connectionOf, contexts } from '../integration.test-support.js';
import type { CreateIssueConfig } from './create-issue.js';
import { createIssueAction } from './create-issue.js';

let gh: GitHubStandIn;
const made = contexts();
const NOW = new Date('2025-03-01T12:00:00Z');

const connection = (secrets: Record<string, string> = {}, config: Record<string, unknown> = {}): ConnectionWithSecrets =>
  connectionOf(
    'github',
    'github',
    { apiUrl: gh.url, owner: STAND_IN_REPO.owner, repo: STAND_IN_REPO.repo, ...config },
    { token: STAND_IN_TOKEN, ...secrets },
    'c1',
  );

function run(config: Partial<CreateIssueConfig> = {}, conn = connection()) {
  const { ctx } = made.make({ connections: { github: conn }, now: () => NOW });
  return createIssueAction.run(ctx, { connection: 'github', title: 'Deploy api #42 to production failed', ...config }) as Promise<Outcome>;
}
const fail = (config: Partial<CreateIssueConfig> = {}, conn?: ConnectionWithSecrets) =>
  run(config, conn).then(
    () => undefined,
    (e: unknown) => e as Error,
  );

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

describe('github.createIssue', () => {
  it('opens an issue with the documented request and returns its number, URL and id', async () => {
    const outcome = await run({ body: 'Run: https://ci.example/run/88', labels: ['deploy-failure'], assignees: ['alice'] });
    expect(outcome).toEqual({
      channel: 'success',
      output: { number: 1, url: 'https://github.com/acme/api/issues/1', id: expect.any(Number) },
    });
    const request = gh.requests.at(-1)!;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/repos/acme/api/issues');
    expect(request.headers).toMatchObject({
      authorization: `Bearer ${STAND_IN_TOKEN}`,
      accept: 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28',
      'user-agent': 'Shipline',
      'content-type': 'application/json',
    });
    expect(JSON.parse(request.raw.toString())).toEqual({
      title: 'Deploy api #42 to production failed',
      body: 'Run: https://ci.example/run/88',
      labels: ['deploy-failure'],
      assignees: ['alice'],
    });
    expect(gh.problems).toEqual([]);
  });

  it('takes the repository from the step over the connection, and needs one somewhere', async () => {
    gh.repos.set('acme/web', { id: 7, deployments: new Set() });
    await run({ owner: 'acme', repo: 'web' });
    expect(gh.requests.at(-1)!.url).toBe('/repos/acme/web/issues');
    expect(JSON.parse(gh.requests.at(-1)!.raw.toString())).toEqual({ title: 'Deploy api #42 to production failed' });
    const error = await fail({}, connection({}, { owner: undefined, repo: undefined }));
    expect(error).toBeInstanceOf(NonRetriableError);
    expect(error?.message).toMatch(/set owner and repo/);
  });

  it("fails without retry on bad credentials, with GitHub's message", async () => {
    const error = await fail({}, connection({ token: 'ghp_wrong' }));
    expect(error).toBeInstanceOf(NonRetriableError);
    expect(error?.message).toBe('GitHub 401 on POST /repos/acme/api/issues: Bad credentials');
  });

  it('fails without retry on an unknown repository, saying why that may be', async () => {
    const error = await fail({ owner: 'acme', repo: 'nope' });
    expect(error).toBeInstanceOf(NonRetriableError);
    expect(error?.message).toBe(
      'GitHub 404 on POST /repos/acme/nope/issues: Not Found (the repository or deployment does not exist, or the token cannot see it)',
    );
  });

  it("fails without retry on 422, with GitHub's errors", async () => {
    const error = await fail({ title: '' });
    expect(error).toBeInstanceOf(NonRetriableError);
    expect(error?.message).toBe('GitHub 422 on POST /repos/acme/api/issues: Validation Failed (Issue.title missing_field)');
  });

  it('waits as long as Retry-After says on 429', async () => {
    gh.failNext('/repos/acme/api/issues', {
      status: 429,
      headers: { 'retry-after': '30' },
      body: { message: 'You have exceeded a secondary rate limit.' },
    });
    const error = await fail();
    expect(error).toBeInstanceOf(RetryAfterError);
    expect((error as RetryAfterError).retryAfterMs).toBe(30_000);
  });

  it('waits until x-ratelimit-reset when the primary limit is used up (403)', async () => {
    const reset = NOW.getTime() / 1000 + 120;
    gh.failNext('/repos/acme/api/issues', {
      status: 403,
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) },
      body: { message: 'API rate limit exceeded for user ID 1.' },
    });
    const error = await fail();
    expect(error).toBeInstanceOf(RetryAfterError);
    expect((error as RetryAfterError).retryAfterMs).toBe(120_000);
  });

  it('waits a minute on a secondary limit that names no time', async () => {
    gh.failNext('/repos/acme/api/issues', {
      status: 403,
      headers: { 'x-ratelimit-remaining': '4000' },
      body: { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' },
    });
    const error = await fail();
    expect((error as RetryAfterError).retryAfterMs).toBe(60_000);
  });

  it('fails without retry on a 403 that is no rate limit, and on 410 (issues disabled)', async () => {
    gh.failNext('/repos/acme/api/issues', {
      status: 403,
      headers: { 'x-ratelimit-remaining': '4999' },
      body: { message: 'Resource not accessible by personal access token' },
    });
    const forbidden = await fail();
    expect(forbidden).toBeInstanceOf(NonRetriableError);
    expect(forbidden?.message).toBe('GitHub 403 on POST /repos/acme/api/issues: Resource not accessible by personal access token');
    gh.failNext('/repos/acme/api/issues', { status: 410, body: { message: 'Issues are disabled for this repo' } });
    expect(await fail()).toBeInstanceOf(NonRetriableError);
  });

  it('throws a retriable error on 5xx', async () => {
    gh.failNext('/repos/acme/api/issues', { status: 502, body: 'Bad Gateway' });
    const error = await fail();
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(NonRetriableError);
    expect(error).not.toBeInstanceOf(RetryAfterError);
    expect(error?.message).toBe('GitHub answered HTTP 502 to POST /repos/acme/api/issues: Bad Gateway');
  });
});
