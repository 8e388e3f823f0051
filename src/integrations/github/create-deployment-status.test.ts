import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Value } from 'typebox/value';
import type { Outcome } from '../../engine/action.js';
import { NonRetriableError, RetryAfterError } from '../../engine/action.js';
import type { ConnectionWithSecrets } from '../../core/connection.js';
import { STAND_IN_REPO, STAND_IN_TOKEN, startGitHubStandIn } from './stand-in.test-support.js';
import type { GitHubStandIn } from './stand-in.test-support.js';
import { connectionOf, contexts } from '../integration.test-support.js';
import type { CreateDeploymentStatusConfig } from './create-deployment-status.js';
import { createDeploymentStatusAction } from './create-deployment-status.js';

let gh: GitHubStandIn;
const made = contexts();
const ID = STAND_IN_REPO.deploymentId;

const connection = (secrets: Record<string, string> = {}): ConnectionWithSecrets =>
  connectionOf(
    'github',
    'github',
    { apiUrl: gh.url, owner: STAND_IN_REPO.owner, repo: STAND_IN_REPO.repo },
    { token: STAND_IN_TOKEN, ...secrets },
    'c1',
  );

function run(config: Partial<CreateDeploymentStatusConfig> = {}, conn = connection()) {
  const { ctx } = made.make({ connections: { github: conn } });
  return createDeploymentStatusAction.run(ctx, {
    connection: 'github',
    deployment_id: ID,
    state: 'success',
    ...config,
  }) as Promise<Outcome>;
}
const fail = (config: Partial<CreateDeploymentStatusConfig> = {}, conn?: ConnectionWithSecrets) =>
  run(config, conn).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
const path = `/repos/acme/api/deployments/${ID}/statuses`;

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

describe('github.createDeploymentStatus', () => {
  it('posts the status and returns its id, state and URL', async () => {
    const outcome = await run({
      log_url: 'https://ci.example/run/88',
      environment_url: 'https://api.example.com',
      description: 'Deployed by Shipline',
      environment: 'production',
      auto_inactive: false,
    });
    expect(outcome).toEqual({
      channel: 'success',
      output: { id: expect.any(Number), state: 'success', url: expect.stringMatching(new RegExp(`${path}/\\d+$`)) },
    });
    const request = gh.requests.at(-1)!;
    expect(request.method).toBe('POST');
    expect(request.url).toBe(path);
    expect(request.headers).toMatchObject({
      authorization: `Bearer ${STAND_IN_TOKEN}`,
      accept: 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28',
      'content-type': 'application/json',
    });
    expect(JSON.parse(request.raw.toString())).toEqual({
      state: 'success',
      environment: 'production',
      environment_url: 'https://api.example.com',
      log_url: 'https://ci.example/run/88',
      description: 'Deployed by Shipline',
      auto_inactive: false,
    });
    expect(gh.problems).toEqual([]);
  });

  it('takes a deployment id rendered from a template as text', async () => {
    expect(
      Value.Check(createDeploymentStatusAction.config, { connection: 'github', deployment_id: String(ID), state: 'in_progress' }),
    ).toBe(true);
    expect(Value.Check(createDeploymentStatusAction.config, { connection: 'github', deployment_id: 'abc', state: 'in_progress' })).toBe(
      false,
    );
    expect(Value.Check(createDeploymentStatusAction.config, { connection: 'github', deployment_id: ID, state: 'done' })).toBe(false);
    await run({ deployment_id: String(ID), state: 'in_progress' });
    expect(gh.requests.at(-1)!.url).toBe(path);
    expect(JSON.parse(gh.requests.at(-1)!.raw.toString())).toEqual({ state: 'in_progress' });
  });

  it("cuts a description to GitHub's 140 characters instead of failing", async () => {
    await run({ description: 'd'.repeat(300) });
    const sent = JSON.parse(gh.requests.at(-1)!.raw.toString()) as { description: string };
    expect(sent.description).toHaveLength(140);
  });

  it("fails without retry on bad credentials and an unknown deployment, with GitHub's message", async () => {
    const denied = await fail({}, connection({ token: 'nope' }));
    expect(denied).toBeInstanceOf(NonRetriableError);
    expect(denied?.message).toBe(`GitHub 401 on POST ${path}: Bad credentials`);
    const missing = await fail({ deployment_id: 1 });
    expect(missing).toBeInstanceOf(NonRetriableError);
    expect(missing?.message).toMatch(/^GitHub 404 on POST \/repos\/acme\/api\/deployments\/1\/statuses: Not Found/);
  });

  it("fails without retry on 422 with GitHub's errors", async () => {
    const invalid = await fail({ state: 'done' as never });
    expect(invalid).toBeInstanceOf(NonRetriableError);
    expect(invalid?.message).toBe(`GitHub 422 on POST ${path}: Validation Failed (DeploymentStatus.state invalid)`);
  });

  it('waits per Retry-After on 429 and retries 5xx', async () => {
    gh.failNext(path, { status: 429, headers: { 'retry-after': '12' }, body: { message: 'secondary rate limit' } });
    const limited = await fail();
    expect(limited).toBeInstanceOf(RetryAfterError);
    expect((limited as RetryAfterError).retryAfterMs).toBe(12_000);
    gh.failNext(path, { status: 503, body: { message: 'Service Unavailable' } });
    const broken = await fail();
    expect(broken).not.toBeInstanceOf(NonRetriableError);
    expect(broken).not.toBeInstanceOf(RetryAfterError);
    expect(broken?.message).toMatch(/^GitHub answered HTTP 503/);
  });
});
