// Each stand-in against its provider's recorded exchanges (fixtures/): the recorded request is
// accepted as the provider accepted it, and the answer has the recorded response's shape.
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { DATADOG_API_KEY, DatadogStandIn } from './datadog/stand-in.test-support.js';
import { JIRA_EMAIL, JIRA_TOKEN, JiraStandIn } from './jira/stand-in.test-support.js';
import { ENTITIES, NEWRELIC_KEY, NewRelicStandIn } from './newrelic/stand-in.test-support.js';
import { SENTRY_ORG, SENTRY_TOKEN, SentryStandIn } from './sentry/stand-in.test-support.js';
import { SlackStandIn } from './slack/stand-in.test-support.js';
import { TeamsStandIn } from './teams/stand-in.test-support.js';

const fixture = (provider: string, name: string): Record<string, unknown> =>
  JSON.parse(fs.readFileSync(new URL(`./${provider}/fixtures/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;

/** The shape of a JSON value: its keys, recursively, and the type of each leaf. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.length === 0 ? [] : [shape(value[0])];
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .map(([key, inner]) => [key, shape(inner)] as const)
        .sort(([a], [b]) => a.localeCompare(b)),
    );
  return value === null ? 'null' : typeof value;
}

const stopping: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(stopping.splice(0).map((s) => s.close()));
});
async function started<T extends { start(): Promise<T>; close(): Promise<void> }>(standIn: T): Promise<T> {
  stopping.push(standIn);
  return standIn.start();
}

async function post(url: string, body: unknown, headers: Record<string, string>): Promise<{ status: number; json: unknown }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

describe('stand-ins answer as the recorded exchanges', () => {
  it('Datadog: the recorded DORA deployment is accepted with the recorded answer; validate answers as recorded', async () => {
    const datadog = await started(new DatadogStandIn());
    const sent = await post(`${datadog.url}/api/v2/dora/deployment`, fixture('datadog', 'dora-deployment-request.json'), {
      'dd-api-key': DATADOG_API_KEY,
    });
    expect(sent.status).toBe(200);
    expect(shape(sent.json)).toEqual(shape(fixture('datadog', 'dora-deployment-response.json')));
    expect(datadog.deployments[0]!.startedAt).toBe(1740830400000000000n);
    const validate = await fetch(`${datadog.url}/api/v1/validate`, { headers: { 'dd-api-key': DATADOG_API_KEY } });
    expect(await validate.json()).toEqual(fixture('datadog', 'validate-response.json'));
  });

  it('Jira: the recorded issue is created with the recorded answer; a missing summary gets the recorded error', async () => {
    const jira = await started(new JiraStandIn());
    const auth = { authorization: `Basic ${Buffer.from(`${JIRA_EMAIL}:${JIRA_TOKEN}`).toString('base64')}`, accept: 'application/json' };
    const request = fixture('jira', 'create-issue-request.json') as { fields: Record<string, unknown> };
    const created = await post(`${jira.url}/rest/api/3/issue`, request, auth);
    expect(created.status).toBe(201);
    expect(shape(created.json)).toEqual(shape(fixture('jira', 'create-issue-response.json')));
    expect(jira.violations).toEqual([]);
    const withoutSummary = Object.fromEntries(Object.entries(request.fields).filter(([key]) => key !== 'summary'));
    const refused = await post(`${jira.url}/rest/api/3/issue`, { fields: withoutSummary }, auth);
    expect(refused).toEqual({ status: 400, json: fixture('jira', 'error-missing-summary.json') });
    const myself = await fetch(`${jira.url}/rest/api/3/myself`, { headers: auth });
    expect(shape(await myself.json())).toEqual(shape(fixture('jira', 'myself.json')));
  });

  it('New Relic: the user and a created deployment have the recorded shape; a stale timestamp gets the recorded error', async () => {
    const newrelic = await started(new NewRelicStandIn());
    const graphql = (query: string, variables?: unknown) =>
      post(`${newrelic.url}/graphql`, { query, variables }, { 'api-key': NEWRELIC_KEY });
    const actor = await graphql('{ actor { user { name email } } }');
    expect(actor.json).toEqual(fixture('newrelic', 'actor-user-response.json'));
    const mutation =
      'mutation($deployment: ChangeTrackingDeploymentInput!) { changeTrackingCreateDeployment(deployment: $deployment) { deploymentId entityGuid timestamp version } }';
    const entityGuid = ENTITIES[0]!.guid;
    const created = await graphql(mutation, { deployment: { entityGuid, version: '1.4.2', timestamp: Date.now() } });
    expect(shape(created.json)).toEqual(shape(fixture('newrelic', 'create-deployment-response.json')));
    const stale = await graphql(mutation, { deployment: { entityGuid, version: '1.4.2', timestamp: Date.now() - 3 * 86_400_000 } });
    expect(stale.json).toEqual(fixture('newrelic', 'error-response.json'));
  });

  it('Sentry: the recorded release and deploy are accepted, the deploy answered as recorded; an unknown release as recorded', async () => {
    const sentry = await started(new SentryStandIn());
    const auth = { authorization: `Bearer ${SENTRY_TOKEN}` };
    const releases = `${sentry.url}/api/0/organizations/${SENTRY_ORG}/releases/`;
    const release = fixture('sentry', 'create-release-request.json') as { version: string };
    expect((await post(releases, release, auth)).status).toBe(201);
    const deploys = `${releases}${encodeURIComponent(release.version)}/deploys/`;
    const deployed = await post(deploys, fixture('sentry', 'create-deploy-request.json'), auth);
    expect(deployed.status).toBe(201);
    expect(shape(deployed.json)).toEqual(shape(fixture('sentry', 'create-deploy-response.json')));
    const echoed = Object.fromEntries(Object.entries(fixture('sentry', 'create-deploy-response.json')).filter(([key]) => key !== 'id'));
    expect(deployed.json).toMatchObject(echoed);
    const unknown = await post(`${releases}unknown%401.0/deploys/`, fixture('sentry', 'create-deploy-request.json'), auth);
    expect(unknown).toEqual({ status: 404, json: fixture('sentry', 'error-unknown-release.json') });
    expect(sentry.violations).toEqual([]);
  });

  it('Slack: auth.test and chat.postMessage answer with the recorded shape', async () => {
    const slack = await started(new SlackStandIn());
    const auth = { authorization: 'Bearer xoxb-valid', 'content-type': 'application/json; charset=utf-8' };
    const who = await post(`${slack.apiUrl}/auth.test`, {}, auth);
    expect(shape(who.json)).toEqual(shape(fixture('slack', 'auth-test.ok.json')));
    const posted = await post(`${slack.apiUrl}/chat.postMessage`, { channel: 'deploys', text: 'Deploy api@1.4.2 ...' }, auth);
    expect(shape(posted.json)).toEqual(shape(fixture('slack', 'chat-post-message.ok.json')));
  });

  it('Teams: the recorded Workflows message runs the flow and posts its card; a wrong signature gets the recorded error', async () => {
    const teams = await started(new TeamsStandIn());
    const message = fixture('teams', 'workflows-deploy-message.json') as { attachments: Array<{ content: unknown }> };
    expect((await post(teams.workflowUrl(), message, {})).status).toBe(202);
    expect(teams.runs).toEqual([{ status: 'Succeeded', cards: [message.attachments[0]!.content] }]);
    const wrong = await post(teams.workflowUrl('not-the-signature'), message, {});
    expect(wrong).toEqual({ status: 401, json: fixture('teams', 'workflows-error.unauthorized.json') });
  });
});
