import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './support/databases.js';
import type { EngineTestApp } from './support/runtime.js';
import { startEngineApp } from './support/runtime.js';
import { eventually } from './support/sink.js';
import { SlackStandIn } from '../src/integrations/slack/stand-in.test-support.js';
import type { GitHubStandIn } from '../src/integrations/github/stand-in.test-support.js';
import { startGitHubStandIn, STAND_IN_TOKEN } from '../src/integrations/github/stand-in.test-support.js';
import type { PagerDutyStandIn } from '../src/integrations/pagerduty/stand-in.test-support.js';
import { STAND_IN_ROUTING_KEY, startPagerDutyStandIn } from '../src/integrations/pagerduty/stand-in.test-support.js';

// Prebuilt integrations as users wire them: a connection through the API, tested at once; a
// reaction whose step uses the integration's action against the provider's stand-in; and the
// provider's own webhooks, verified, stored as events (and catalog deploys).

const fixture = (provider: string, name: string) =>
  readFileSync(new URL(`../src/integrations/${provider}/fixtures/${name}`, import.meta.url));
const sign = (secret: string, body: Buffer) => createHmac('sha256', secret).update(body).digest('hex');

interface ConnectionView {
  id: string;
  status: string;
  error: string | null;
  details: Record<string, unknown> | null;
  webhookUrl: string;
}
interface EventItem {
  type: string;
  source: string;
  data: Record<string, unknown>;
}

describe.each(DIALECTS)('prebuilt integrations on %s', (dialect) => {
  let t: EngineTestApp;
  let slack: SlackStandIn;
  let pagerduty: PagerDutyStandIn;
  let github: GitHubStandIn;

  const connect = async (payload: Record<string, unknown>) => {
    const res = await t.api({ method: 'POST', url: '/api/v1/connections', payload });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<ConnectionView>();
  };
  const events = async (type: string) =>
    (await t.api({ method: 'GET', url: `/api/v1/events?type=${type}` })).json<{ items: EventItem[] }>().items;
  /** The example `data` GET /api/v1/event-types declares for a type. */
  const declaredExample = async (type: string) =>
    (await t.api({ method: 'GET', role: 'read', url: '/api/v1/event-types' }))
      .json<{ items: Array<{ type: string; provider: string | null; example: unknown }> }>()
      .items.find((e) => e.type === type)?.example;

  beforeAll(async () => {
    [slack, pagerduty, github] = await Promise.all([new SlackStandIn().start(), startPagerDutyStandIn(), startGitHubStandIn()]);
    t = await startEngineApp(dialect);
  });
  afterAll(async () => {
    await t.close();
    await Promise.all([slack.close(), pagerduty.close(), github.close()]);
  });

  it('lists the connection types with their fields, actions and templates', async () => {
    const types = (await t.api({ method: 'GET', role: 'read', url: '/api/v1/connection-types' })).json<{
      items: Array<{
        type: string;
        actions: string[];
        templates: string[];
        inbound: boolean;
        events: string[];
        keepsSubscription: boolean;
      }>;
    }>().items;
    expect(types.map((x) => x.type)).toEqual(expect.arrayContaining(['octopus', 'slack', 'teams', 'pagerduty', 'github']));
    expect(types.find((x) => x.type === 'slack')!.actions).toEqual(['slack.postMessage', 'slack.updateMessage']);
    // Every type taking webhooks names the events they become (the reaction editor offers them).
    for (const inbound of types.filter((x) => x.inbound)) expect(inbound.events, inbound.type).not.toEqual([]);
    expect(types.find((x) => x.type === 'pagerduty')!.events).toEqual([
      'pagerduty.incident.triggered',
      'pagerduty.incident.acknowledged',
      'pagerduty.incident.resolved',
    ]);
    // The UI gives a subscription panel to the types that say they keep one, and to no other.
    expect(types.filter((x) => x.keepsSubscription).map((x) => x.type)).toEqual(['octopus']);
  });

  it("changes a connection's settings with PATCH: a field given replaces, null removes, an invalid value changes nothing", async () => {
    await connect({
      type: 'github',
      name: 'gh-settings',
      config: { apiUrl: github.url, owner: 'acme', repo: 'shop' },
      secrets: { token: STAND_IN_TOKEN, webhookSecret: 's' },
    });
    const patch = (config: Record<string, unknown>) =>
      t.api({ method: 'PATCH', url: '/api/v1/connections/gh-settings', payload: { config } });
    const shown = async () =>
      (await t.api({ method: 'GET', url: '/api/v1/connections/gh-settings' })).json<{ config: Record<string, unknown> }>().config;

    const changed = await patch({ repo: 'site', owner: null });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(await shown()).toEqual({ apiUrl: github.url, repo: 'site' });

    const invalid = await patch({ apiUrl: 'not a url', repo: null });
    expect(invalid.statusCode).toBe(400);
    expect(await shown()).toEqual({ apiUrl: github.url, repo: 'site' });
  });

  it('says which secrets a connection has stored, by name only', async () => {
    const created = await connect({
      type: 'github',
      name: 'gh-secrets',
      config: { apiUrl: github.url },
      secrets: { token: STAND_IN_TOKEN, webhookSecret: 'hook-secret-value' },
    });
    expect(created).toMatchObject({ secretsSet: ['token', 'webhookSecret'] });
    const removed = await t.api({ method: 'PATCH', url: '/api/v1/connections/gh-secrets', payload: { secrets: { webhookSecret: '' } } });
    expect(removed.statusCode, removed.body).toBe(200);
    expect(removed.json()).toMatchObject({ secretsSet: ['token'] });
    const listed = await t.api({ method: 'GET', url: '/api/v1/connections' });
    expect(
      listed.json<{ items: Array<{ name: string; secretsSet: string[] }> }>().items.find((c) => c.name === 'gh-secrets')!.secretsSet,
    ).toEqual(['token']);
    expect(listed.body).not.toContain(STAND_IN_TOKEN);
  });

  it("tests a connection on creation: ready with what it learned, or error with the provider's message; secrets never come back", async () => {
    const good = await connect({
      type: 'slack',
      name: 'slack',
      config: { apiUrl: `${slack.url}/api` },
      secrets: { botToken: 'xoxb-valid' },
    });
    expect(good).toMatchObject({ status: 'ready', error: null, details: expect.objectContaining({ team: expect.any(String) }) });
    const bad = await connect({
      type: 'slack',
      name: 'slack-bad',
      config: { apiUrl: `${slack.url}/api` },
      secrets: { botToken: 'xoxb-revoked' },
    });
    expect(bad.status).toBe('error');
    expect(bad.error).toContain('invalid_auth');
    const listed = await t.api({ method: 'GET', url: '/api/v1/connections' });
    expect(listed.body).not.toContain('xoxb-');
    const unknown = await t.api({
      method: 'POST',
      url: '/api/v1/connections',
      payload: { type: 'fax', name: 'fax', config: {}, secrets: {} },
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({ error: { code: 'connection.invalid', message: expect.stringContaining('slack') } });
  });

  it('tests settings without saving them: ready or error as a saved test would be, nothing stored; 400 as create for bad ones', async () => {
    const probe = (payload: Record<string, unknown>) => t.api({ method: 'POST', url: '/api/v1/connections/test', payload });
    const stored = async () => (await t.api({ method: 'GET', url: '/api/v1/connections' })).body;
    const before = {
      connections: await stored(),
      events: await events('*'),
      authTests: slack.requests.filter((r) => r.path.startsWith('/api/auth.test')).length,
    };

    const good = await probe({ type: 'slack', config: { apiUrl: `${slack.url}/api` }, secrets: { botToken: 'xoxb-valid' } });
    expect(good.statusCode, good.body).toBe(200);
    expect(good.json()).toEqual({
      status: 'ready',
      error: null,
      details: expect.objectContaining({ team: expect.any(String) }),
      contacted: true,
    });
    // An incoming webhook alone has nothing to call: ready, and it says Slack was not contacted.
    const local = await probe({ type: 'slack', config: {}, secrets: { webhookUrl: 'https://hooks.slack.com/services/T0/B0/x' } });
    expect(local.json()).toMatchObject({ status: 'ready', contacted: false, details: { mode: 'incoming webhook' } });
    const bad = await probe({
      type: 'slack',
      name: 'slack-probe',
      config: { apiUrl: `${slack.url}/api` },
      secrets: { botToken: 'xoxb-revoked' },
    });
    expect(bad.statusCode).toBe(200);
    expect(bad.json()).toEqual({ status: 'error', error: expect.stringContaining('invalid_auth'), details: null, contacted: true });
    for (const answer of [good, bad]) expect(answer.body).not.toContain('xoxb-');
    // The provider was asked each time.
    expect(slack.requests.filter((r) => r.path.startsWith('/api/auth.test')).length).toBe(before.authTests + 2);

    const invalid = { type: 'slack', config: { apiUrl: `${slack.url}/api`, colour: 'red' }, secrets: { botToken: 'not-a-token' } };
    const refused = await probe(invalid);
    expect(refused.statusCode).toBe(400);
    const createRefused = await t.api({ method: 'POST', url: '/api/v1/connections', payload: { ...invalid, name: 'slack-invalid' } });
    expect(refused.json()).toEqual(createRefused.json());
    expect(refused.json()).toMatchObject({ error: { code: 'connection.invalid', message: expect.stringContaining('config') } });
    expect((await probe({ type: 'fax', config: {}, secrets: {} })).json()).toMatchObject({
      error: { code: 'connection.invalid', message: expect.stringContaining('slack') },
    });

    expect(await stored()).toBe(before.connections);
    expect(await events('*')).toEqual(before.events);
  });

  it('runs an integration action from a reaction against the provider, redacting its credentials', async () => {
    await t.applyReaction({
      name: 'page-on-failure',
      on: { event: 'deploy.recorded', filter: { serviceAlias: 'pager-test' } },
      steps: {
        page: {
          uses: 'pagerduty.event',
          with: { connection: 'pd', summary: 'Deploy of {{ data.serviceAlias }} failed', severity: 'critical' },
        },
      },
    });
    await connect({
      type: 'pagerduty',
      name: 'pd',
      config: { eventsUrl: pagerduty.url, apiUrl: pagerduty.url },
      secrets: { routingKey: STAND_IN_ROUTING_KEY },
    });
    await t.ingest({ service: 'pager-test', dedup_id: 'pager-test-1' });
    const run = await t.runReaching({ reaction: 'page-on-failure' }, ['succeeded', 'failed']);
    expect(run.steps[0]).toMatchObject({ channel: 'success', output: expect.objectContaining({ status: 'success' }) });
    expect([...pagerduty.alerts.values()].map((a) => a.summary)).toContain('Deploy of pager-test failed');
    expect(JSON.stringify(run)).not.toContain(STAND_IN_ROUTING_KEY);
  });

  it('stores verified PagerDuty incidents once each and refuses bad signatures', async () => {
    const conn = await connect({
      type: 'pagerduty',
      name: 'pd-hooks',
      config: { eventsUrl: pagerduty.url },
      secrets: { routingKey: STAND_IN_ROUTING_KEY, webhookSecret: 'pd-signing-secret' },
    });
    const path = new URL(conn.webhookUrl).pathname;
    expect(path).toBe(`/hooks/pagerduty/${conn.id}`);
    const body = fixture('pagerduty', 'incident-triggered.json');
    const post = (signature: string) =>
      t.app.inject({
        method: 'POST',
        url: path,
        headers: { 'content-type': 'application/json', 'x-pagerduty-signature': signature },
        payload: body,
      });
    expect((await post(`v1=${'0'.repeat(64)}`)).statusCode).toBe(401);
    expect(await events('pagerduty.*')).toEqual([]);
    const first = await post(`v1=${sign('pd-signing-secret', body)}`);
    expect(first.statusCode).toBe(202);
    expect(first.json()).toEqual({ events: 1, duplicate: false });
    expect((await post(`v1=${sign('pd-signing-secret', body)}`)).json()).toEqual({ events: 0, duplicate: true });
    const [incident] = await events('pagerduty.incident.*');
    expect(incident).toMatchObject({
      type: 'pagerduty.incident.triggered',
      source: 'connection:pd-hooks',
    });
    expect(incident!.data).toEqual(await declaredExample('pagerduty.incident.triggered'));
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: `/hooks/pagerduty/${conn.id}x`,
          headers: { 'content-type': 'application/json' },
          payload: body,
        })
      ).statusCode,
    ).toBe(404);
  });

  it('records GitHub deployment statuses as catalog deploys whose status follows them', async () => {
    const conn = await connect({
      type: 'github',
      name: 'gh',
      config: { apiUrl: github.url },
      secrets: { token: STAND_IN_TOKEN, webhookSecret: 'gh-secret' },
    });
    expect(conn.status).toBe('ready');
    const body = fixture('github', 'deployment-status-success.json');
    const res = await t.app.inject({
      method: 'POST',
      url: new URL(conn.webhookUrl).pathname,
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'deployment_status',
        'x-github-delivery': 'delivery-1',
        'x-hub-signature-256': `sha256=${sign('gh-secret', body)}`,
      },
      payload: body,
    });
    expect(res.statusCode, res.body).toBe(202);
    const [event] = await events('github.*');
    expect(event).toMatchObject({ type: expect.stringMatching(/^github\.deployment_status/), source: 'connection:gh' });
    // Stored as GET /api/v1/event-types shows it, but for the delivery id.
    const example = (await declaredExample('github.deployment_status.created')) as { delivery: string };
    expect(event!.data).toEqual({ ...example, delivery: 'delivery-1' });
    const deploys = await eventually(async () => {
      const items = (await t.api({ method: 'GET', url: '/api/v1/deploys' }))
        .json<{ items: Array<{ source: string; status: string; dedupId: string }> }>()
        .items.filter((d) => d.source === 'github');
      return items.length > 0 ? items : undefined;
    });
    expect(deploys).toEqual([expect.objectContaining({ status: 'succeeded', dedupId: expect.stringMatching(/^github:/) })]);
  });
});
