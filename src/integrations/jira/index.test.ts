import { Value } from 'typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileTrigger } from '../../core/reactions/matching.js';
import type { ShiplineEvent } from '../../core/vocabulary.js';
import type { ConnectionWithSecrets } from '../../core/connection.js';
import { JIRA_EMAIL, JIRA_TOKEN, JiraStandIn } from './stand-in.test-support.js';
import { createHttpClient } from '../../actions/http/client.js';
import { connectionOf, deployFailed, expectDescribed, failedDeploy, renderStep, validReaction } from '../integration.test-support.js';
import { jiraConnection } from './index.js';

const failed = deployFailed();
const jira = new JiraStandIn();
const http = createHttpClient({ allowHosts: ['127.0.0.1'] });
const signal = new AbortController().signal;

function connection(config: Record<string, unknown> = {}, apiToken = JIRA_TOKEN): ConnectionWithSecrets {
  return connectionOf('jira', 'jira', { siteUrl: jira.url, email: JIRA_EMAIL, ...config }, { apiToken }, 'c-jira');
}

beforeAll(() => jira.start());
afterAll(async () => {
  await http.close();
  await jira.close();
});

describe('jira connection test', () => {
  it('is ready when GET /rest/api/3/myself answers, showing the account', async () => {
    expect(await jiraConnection.test(connection(), http, signal)).toEqual({
      status: 'ready',
      details: { accountId: '5b10a2844c20165700ede21g', displayName: 'Shipline Bot' },
    });
    const request = jira.requests.at(-1)!;
    expect(request).toMatchObject({ method: 'GET', path: '/rest/api/3/myself' });
    expect(request.headers.authorization).toBe(`Basic ${Buffer.from(`${JIRA_EMAIL}:${JIRA_TOKEN}`).toString('base64')}`);
    expect(jira.violations).toEqual([]);
  });

  it("reports Jira's answer to bad credentials", async () => {
    expect(await jiraConnection.test(connection({}, 'wrong'), http, signal)).toEqual({
      status: 'error',
      error: 'Jira GET /rest/api/3/myself answered 401: Client must be authenticated to access this resource.',
    });
  });

  it('reports a site that cannot be reached', async () => {
    const check = await jiraConnection.test(connection({ siteUrl: 'http://127.0.0.1:1' }), http, signal);
    expect(check.status).toBe('error');
    expect(check.error).toBeTruthy();
  });
});

describe('the jira manifest', () => {
  it('describes every connection field and refuses unknown ones', () => {
    expectDescribed([jiraConnection.config, jiraConnection.secrets]);
    expect(Value.Check(jiraConnection.config, { siteUrl: 'https://acme.atlassian.net', email: 'bot@acme.com' })).toBe(true);
    expect(Value.Check(jiraConnection.config, { siteUrl: 'acme.atlassian.net', email: 'bot@acme.com' })).toBe(false);
  });

  it('names its actions with its type, connection field first', () => {
    expect(jiraConnection.actions.map((a) => a.name)).toEqual(['jira.createIssue', 'jira.addComment']);
    for (const action of jiraConnection.actions) {
      expect(Object.keys((action.config as { properties: object }).properties)[0]).toBe('connection');
      expect(action.channels).toContain('failed');
    }
  });

  it('ships jira-ticket-on-failure: valid as written, triggered by failed deploys, rendering a valid step', () => {
    const [template] = jiraConnection.templates!;
    expect(template!.name).toBe('jira-ticket-on-failure');
    const spec = validReaction(jiraConnection, template!.yaml);
    const matches = compileTrigger(spec.on, []);
    expect(matches(failed)).toBe(true);
    // Every failure once: not again on the deploy.recorded stored beside it.
    expect(matches(failedDeploy())).toBe(false);

    const step = spec.steps[0]!;
    const action = jiraConnection.actions.find((a) => a.name === step.uses)!;
    const render = (event: ShiplineEvent) => renderStep(spec, event);
    const rendered = render(failed) as Record<string, string>;
    expect([...Value.Errors(action.config, rendered)]).toEqual([]);
    expect(rendered.summary).toBe('Deploy of api 1.4.2 to production failed');
    expect(rendered.description).toContain('Deployed by: Alice Example');
    expect(rendered.description).toContain('Commit: f95f852bd8fca8fcc58a9a2d6c842781e32a215e');
    // An alias no service claims, no commit, no deployer, no environment: still a valid step.
    const bare = {
      ...failed,
      data: {
        ...(failed.data as object),
        service: null,
        commit: null,
        environment: null,
        deployUrl: null,
        deployer: { id: null, email: null, name: null },
      },
    };
    const minimal = render(bare) as Record<string, string>;
    expect([...Value.Errors(action.config, minimal)]).toEqual([]);
    expect(minimal.summary).toBe('Deploy of acme-api 1.4.2 to an unnamed environment failed');
    expect(minimal.description).toContain('Commit: unknown');
  });
});
