import { Compile } from 'typebox/compile';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionInfo } from '../../core/reactions/document.js';
import { parseReactionText, validateReaction } from '../../core/reactions/document.js';
import { renderValue } from '../../core/reactions/templates.js';
import type { ConnectionWithSecrets } from '../../core/connection.js';
import { STAND_IN_REPO, STAND_IN_TOKEN, startGitHubStandIn } from './stand-in.test-support.js';
import type { GitHubStandIn } from './stand-in.test-support.js';
import { createHttpClient } from '../../actions/http/client.js';
import { githubConnection } from './index.js';

let gh: GitHubStandIn;
const http = createHttpClient({ allowHosts: ['127.0.0.1'] });
const signal = new AbortController().signal;

const connection = (secrets: Record<string, string> = {}, config: Record<string, unknown> = {}): ConnectionWithSecrets => ({
  id: 'c1',
  name: 'github',
  type: 'github',
  config: { apiUrl: gh.url, ...config },
  secrets: { token: STAND_IN_TOKEN, ...secrets },
  state: {},
  endpointId: 'e',
  createdAt: '',
  updatedAt: '',
});

beforeAll(async () => {
  gh = await startGitHubStandIn();
});
afterAll(async () => {
  await http.close();
  await gh.close();
});

describe('the GitHub connection type', () => {
  it('declares closed, documented config and secrets schemas', () => {
    expect(githubConnection.type).toBe('github');
    const config = Compile(githubConnection.config);
    expect(config.Check({})).toBe(true);
    expect(config.Check({ apiUrl: 'https://github.example.com/api/v3', owner: 'acme', repo: 'api' })).toBe(true);
    expect(config.Check({ apiUrl: 'github' })).toBe(false);
    expect(config.Check({ org: 'acme' })).toBe(false);
    const secrets = Compile(githubConnection.secrets);
    expect(secrets.Check({ token: 't' })).toBe(true);
    expect(secrets.Check({ token: 't', webhookSecret: 's' })).toBe(true);
    expect(secrets.Check({})).toBe(false);
    for (const schema of [githubConnection.config, githubConnection.secrets]) {
      for (const [name, field] of Object.entries(
        (schema as unknown as { properties: Record<string, { description?: string }> }).properties,
      )) {
        expect(field.description, name).toBeTruthy();
      }
    }
  });

  it('names its actions with its prefix, a connection field first, and an example output', () => {
    expect(githubConnection.actions.map((a) => a.name)).toEqual(['github.createIssue', 'github.dispatch', 'github.createDeploymentStatus']);
    for (const action of githubConnection.actions) {
      expect(action.channels).toEqual(expect.arrayContaining(['success', 'failed']));
      expect(action.exampleOutput).toBeDefined();
      const schema = action.config as unknown as { properties: Record<string, { description?: string }>; additionalProperties: boolean };
      expect(Object.keys(schema.properties)[0]).toBe('connection');
      expect(schema.properties.connection?.description).toBe('The GitHub connection (name)');
      expect(schema.additionalProperties).toBe(false);
      for (const [name, field] of Object.entries(schema.properties)) expect(field.description, `${action.name}.${name}`).toBeTruthy();
    }
  });

  it('is ready with a valid token, showing the login (GET /user)', async () => {
    expect(await githubConnection.test(connection(), http, signal)).toEqual({
      status: 'ready',
      details: { login: 'shipline-bot', scopes: 'repo, workflow' },
    });
    const request = gh.requests.at(-1)!;
    expect(request.method).toBe('GET');
    expect(request.url).toBe('/user');
    expect(request.headers).toMatchObject({
      authorization: `Bearer ${STAND_IN_TOKEN}`,
      accept: 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28',
    });
    expect(request.headers['user-agent']).toBeTruthy();
  });

  it('checks the default repository when one is set', async () => {
    const ok = await githubConnection.test(connection({}, { owner: STAND_IN_REPO.owner, repo: STAND_IN_REPO.repo }), http, signal);
    expect(ok).toEqual({ status: 'ready', details: { login: 'shipline-bot', scopes: 'repo, workflow', repository: 'acme/api' } });
    const missing = await githubConnection.test(connection({}, { owner: 'acme', repo: 'typo' }), http, signal);
    expect(missing).toMatchObject({ status: 'error', error: 'GitHub 404 for acme/typo: Not Found' });
  });

  it("reports GitHub's message for bad credentials, and an unreachable API, without throwing", async () => {
    expect(await githubConnection.test(connection({ token: 'ghp_bad' }), http, signal)).toEqual({
      status: 'error',
      error: 'GitHub 401: Bad credentials',
    });
    const down = await githubConnection.test(connection({}, { apiUrl: 'http://127.0.0.1:1' }), http, signal);
    expect(down.status).toBe('error');
    expect(down.error).toMatch(/^GitHub: /);
  });
});

describe('GitHub templates', () => {
  const actions = new Map<string, ActionInfo>(githubConnection.actions.map((a) => [a.name, a]));
  const deploy = {
    id: 'dep_1',
    service: null,
    serviceAlias: 'api',
    environment: 'production',
    description: 'Release 1.4.2',
    deployedAt: '2025-03-01T12:00:00.000Z',
    deployUrl: null,
    deployNumber: '42',
    dedupId: null,
    deployer: { id: null, email: 'alice@example.com', name: null },
    commit: null,
    status: 'failed',
    source: 'custom',
    failure: { source: 'mark', reason: 'checkout broke', markedBy: 'alice' },
  };

  it.each(githubConnection.templates!.map((t) => [t.name, t] as const))(
    '%s is valid as written and renders for a deploy with its optional fields empty',
    (name, template) => {
      const parsed = parseReactionText(template.yaml);
      if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
      expect(parsed.documents).toHaveLength(1);
      const result = validateReaction(parsed.documents[0], { actions, secrets: new Set() });
      if (!result.ok) throw new Error(result.problems.join('\n'));
      expect(result.reaction.name).toBe(name);
      expect(result.reaction.on.event).toMatch(/^deploy\.(\*|failed)$/);
      const event = {
        id: 'evt',
        type: result.reaction.on.event.replace('*', 'recorded'),
        source: 'deploy-endpoint:e',
        timestamp: deploy.deployedAt,
        data: deploy,
      };
      for (const step of result.reaction.steps) {
        const rendered = renderValue(step.with, {
          event,
          data: deploy,
          steps: {},
          secrets: {},
          run: { id: 'run', reaction: name, version: 1 },
        });
        expect(Compile(actions.get(step.uses)!.config!).Check(rendered), JSON.stringify(rendered)).toBe(true);
      }
    },
  );

  it("files the issue with the deploy's facts", () => {
    const parsed = parseReactionText(githubConnection.templates!.find((t) => t.name === 'github-issue-on-failure')!.yaml);
    if (!parsed.ok) throw new Error('unparsable');
    const result = validateReaction(parsed.documents[0], { actions });
    if (!result.ok) throw new Error(result.problems.join('\n'));
    const data = { ...deploy, deployUrl: 'https://ci.example/run/88', commit: { sha: 'f95f852', message: null, branch: null } };
    const rendered = renderValue(result.reaction.steps[0]!.with, {
      event: {},
      data,
      steps: {},
      secrets: {},
      run: { id: 'r', reaction: 'x', version: 1 },
    }) as { title: string; body: string };
    expect(rendered.title).toBe('Deploy api #42 to production failed');
    expect(rendered.body).toContain('Deploy: https://ci.example/run/88');
    expect(rendered.body).toContain('Commit: f95f852');
    expect(rendered.body).toContain('Deployed by: alice@example.com');
    expect(rendered.body).toContain('checkout broke');
  });
});
