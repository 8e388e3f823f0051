import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient } from '../src/actions/http/client.js';
import { storeHost } from '../src/connections/host.js';
import { octopusConnection, reconcileNow } from '../src/integrations/octopus/index.js';
import { viewOf } from '../src/server/routes/connections.js';
import type { Connection } from '../src/store/connections.js';
import { openStore } from '../src/store/index.js';
import { TEST_MASTER_KEY } from './support/runtime.js';
import { DIALECTS } from './support/databases.js';
import type { ConnectionBody, OctopusTestBed } from './support/octopus.js';
import { octopusTestBed } from './support/octopus.js';
import { eventually } from './support/sink.js';

const ALL_DEPLOYMENT = ['DeploymentFailed', 'DeploymentQueued', 'DeploymentStarted', 'DeploymentSucceeded'];

describe.each(DIALECTS)('Octopus connections on %s', (dialect) => {
  let bed: OctopusTestBed;

  beforeAll(async () => {
    bed = await octopusTestBed(dialect);
  });
  afterAll(async () => {
    await bed.close();
  });

  it('connects with a good key: ready, the default space, the server version; the key never comes back', async () => {
    const conn = await bed.connect('good');
    expect(conn).toMatchObject({
      status: 'ready',
      error: null,
      space: { id: 'Spaces-1', name: 'Default' },
      version: expect.stringMatching(/^\d+\.\d+\.\d+$/),
    });
    expect(conn.webhookUrl).toBe(`${bed.t.url}/hooks/octopus/${conn.id}`);
    // The answer already shows the subscription Shipline made.
    expect(conn.subscription).toMatchObject({
      state: 'ready',
      id: expect.stringMatching(/^Subscriptions-/),
      error: null,
      lastReconciledAt: expect.any(String),
    });
    const uuidName = await bed.t.api({
      method: 'POST',
      url: '/api/v1/connections',
      payload: { type: 'octopus', name: conn.id, config: { serverUrl: bed.sim.url }, secrets: { apiKey: bed.sim.apiKey } },
    });
    expect(uuidName.statusCode).toBe(400);
    const shown = await bed.t.api({ method: 'GET', url: '/api/v1/connections/good' });
    expect(shown.body).not.toContain(bed.sim.apiKey);
    // Secret fields are named in secretsSet, and nowhere else; their values never.
    const { secretsSet, ...rest } = shown.json<{ secretsSet: string[] }>();
    expect(secretsSet).toContain('apiKey');
    expect(JSON.stringify(rest)).not.toMatch(/webhookSecret|apiKey/);
    // The key is only ever sent as X-Octopus-ApiKey, never in a query string.
    for (const r of bed.sim.requests()) expect(JSON.stringify(r.query)).not.toContain('API-');
    expect(bed.sim.requests('GET', '/api/users/me').length).toBeGreaterThan(0);
    await bed.t.api({ method: 'DELETE', url: '/api/v1/connections/good' });
  });

  it("names the subscription's state: pending before the first reconcile, error when it failed; other types have none", () => {
    const base = {
      id: 'c1',
      name: 'c',
      config: {},
      endpointId: 'e1',
      createdAt: '2025-01-01T00:00:00.000Z',
      updatedAt: '2025-01-01T00:00:00.000Z',
    };
    const subscriptionOf = (type: string, state: Record<string, unknown>) =>
      viewOf({ ...base, type, state } satisfies Connection, 'http://shipline.test').subscription;
    expect(subscriptionOf('octopus', {})).toEqual({ state: 'pending', id: null, categories: [], lastReconciledAt: null, error: null });
    const failed = {
      id: 'Subscriptions-1',
      categories: ['DeploymentFailed'],
      lastReconciledAt: '2025-01-01T00:00:00.000Z',
      error: 'Octopus said no',
    };
    expect(subscriptionOf('octopus', { subscription: failed })).toEqual({ state: 'error', ...failed });
    expect(subscriptionOf('octopus', { subscription: { ...failed, error: null } })).toMatchObject({
      state: 'ready',
      id: 'Subscriptions-1',
    });
    expect(subscriptionOf('octopus', { subscription: { ...failed, id: null, error: null } })).toMatchObject({ state: 'none' });
    expect(subscriptionOf('slack', { status: 'ready' })).toBeNull();
  });

  it("reports a bad key as error with Octopus's message", async () => {
    const conn = await bed.connect('badkey', {}, 'API-WRONGWRONGWRONGWRONG');
    expect(conn.status).toBe('error');
    expect(conn.error).toContain('You must be logged in to perform this action');
    await bed.t.api({ method: 'DELETE', url: '/api/v1/connections/badkey' });
  });

  it("tests settings without saving anything: ready with the space, or error with Octopus's message; no connection, no subscription", async () => {
    // Earlier tests' subscriptions go with their connections; start from none.
    await eventually(async () => ((await bed.subscriptions()).length === 0 ? true : undefined));
    const probe = (config: Record<string, unknown>, apiKey: string, role?: 'write') =>
      bed.t.api({
        method: 'POST',
        url: '/api/v1/connections/test',
        ...(role ? { role } : {}),
        payload: { type: 'octopus', config: { serverUrl: `${bed.sim.url}/`, ...config }, secrets: { apiKey } },
      });
    const meBefore = bed.sim.requests('GET', '/api/users/me').length;
    const subscribedBefore = bed.sim.requests('POST').filter((r) => r.path.includes('/subscriptions')).length;
    const events = async () =>
      (await bed.t.api({ method: 'GET', url: '/api/v1/events?limit=100' })).json<{ items: unknown[] }>().items.length;
    const eventsBefore = await events();

    const good = await probe({ space: 'Second Space' }, bed.sim.apiKey);
    expect(good.statusCode, good.body).toBe(200);
    expect(good.json()).toEqual({
      status: 'ready',
      error: null,
      details: expect.objectContaining({
        space: { id: 'Spaces-2', name: 'Second Space' },
        version: expect.stringMatching(/^\d+\.\d+\.\d+$/),
      }),
      contacted: true,
    });
    expect(good.body).not.toContain(bed.sim.apiKey);
    expect(bed.sim.requests('GET', '/api/users/me').length).toBe(meBefore + 1);

    const wrong = await probe({}, 'API-WRONGWRONGWRONGWRONG');
    expect(wrong.statusCode).toBe(200);
    expect(wrong.json()).toEqual({
      status: 'error',
      error: expect.stringContaining('You must be logged in to perform this action'),
      details: null,
      contacted: true,
    });
    expect(wrong.body).not.toContain('API-WRONG');

    const bad = await probe({ serverUrl: 'ftp://nope' }, '');
    expect(bad.statusCode).toBe(400);
    const created = await bed.t.api({
      method: 'POST',
      url: '/api/v1/connections',
      payload: { type: 'octopus', name: 'bad', config: { serverUrl: 'ftp://nope' }, secrets: { apiKey: '' } },
    });
    expect(bad.json()).toEqual(created.json());
    expect((await probe({}, bed.sim.apiKey, 'write')).statusCode).toBe(403);

    expect((await bed.t.api({ method: 'GET', url: '/api/v1/connections' })).json<{ items: unknown[] }>().items).toEqual([]);
    expect(await bed.t.store.connections.list()).toEqual([]);
    await bed.runtimeReconcile();
    expect(await bed.subscriptions()).toEqual([]);
    expect(bed.sim.requests('POST').filter((r) => r.path.includes('/subscriptions')).length).toBe(subscribedBefore);
    expect(await events()).toBe(eventsBefore);
  });

  it('resolves a named space by name or id, and reports an unknown one', async () => {
    expect((await bed.connect('second', { space: 'Second Space' })).space).toEqual({ id: 'Spaces-2', name: 'Second Space' });
    expect((await bed.connect('second-id', { space: 'Spaces-2' })).space).toEqual({ id: 'Spaces-2', name: 'Second Space' });
    const unknown = await bed.connect('nowhere', { space: 'Atlantis' });
    expect(unknown).toMatchObject({ status: 'error', error: expect.stringContaining('Atlantis') });
    for (const name of ['second', 'second-id', 'nowhere']) await bed.t.api({ method: 'DELETE', url: `/api/v1/connections/${name}` });
  });

  it('refuses bad input with every problem and stores nothing; only admins connect', async () => {
    const bad = await bed.t.api({
      method: 'POST',
      url: '/api/v1/connections',
      payload: { type: 'octopus', name: 'x', config: { serverUrl: 'ftp://nope' }, secrets: {} },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'connection.invalid' } });
    const writer = await bed.t.api({
      method: 'POST',
      role: 'write',
      url: '/api/v1/connections',
      payload: { type: 'octopus', name: 'y', config: { serverUrl: bed.sim.url }, secrets: { apiKey: bed.sim.apiKey } },
    });
    expect(writer.statusCode).toBe(403);
    expect((await bed.t.api({ method: 'GET', url: '/api/v1/connections' })).json<{ items: unknown[] }>().items).toEqual([]);
  });

  it('lists resources for pickers: projects, environments, releases by project newest first, channels', async () => {
    await bed.connect('pick');
    const list = async (path: string) =>
      (await bed.t.api({ method: 'GET', role: 'read', url: `/api/v1/connections/pick/resources/${path}` })).json<{
        items: Array<{ id: string; name: string }>;
      }>().items;
    expect((await list('projects')).map((p) => p.name)).toEqual(['Web', 'Payments API']);
    expect(await list('projects?search=pay')).toEqual([{ id: expect.stringMatching(/^Projects-/), name: 'Payments API' }]);
    expect((await list('environments')).map((e) => e.name)).toEqual(['Development', 'Staging', 'Production']);
    expect((await list('releases?project=Web')).map((r) => r.name)).toEqual(['1.0.1', '1.0.0']);
    const web = (await list('projects')).find((p) => p.name === 'Web')!;
    expect((await list(`releases?project=${web.id}`)).map((r) => r.name)).toEqual(['1.0.1', '1.0.0']);
    expect((await list('channels?project=Web')).length).toBeGreaterThan(0);
    const missing = await bed.t.api({ method: 'GET', url: '/api/v1/connections/pick/resources/releases' });
    expect(missing.statusCode).toBe(400);
    await bed.t.api({ method: 'DELETE', url: '/api/v1/connections/pick' });
  });

  it('keeps one subscription: created with the right categories, recreated when deleted, repaired when disabled, narrowed and deleted', async () => {
    const conn = await bed.connect('subs');
    const created = await bed.subscriptionWith(ALL_DEPLOYMENT);
    expect(created.Name).toMatch(/^Shipline subs \([0-9a-f]{12}\)$/);
    expect(created.EventNotificationSubscription).toMatchObject({
      WebhookURI: conn.webhookUrl,
      WebhookHeaderKey: 'X-Shipline-Webhook-Secret',
      WebhookTimeout: '00:00:10',
    });
    expect(created.EventNotificationSubscription.WebhookHeaderValue).toEqual(expect.any(String));
    expect((created.EventNotificationSubscription.WebhookHeaderValue as string).length).toBeGreaterThanOrEqual(43);
    for (const key of ['Projects', 'Environments', 'Tenants', 'Users'])
      expect(created.EventNotificationSubscription.Filter[key]).toEqual([]);

    // A reaction on release creation widens it; removing the reaction narrows it again.
    await bed.t.applyReaction({
      name: 'on-release',
      on: { event: 'octopus.release.created', connection: 'subs' },
      steps: { note: { uses: 'emit', with: { type: 'noted' } } },
    });
    await bed.subscriptionWith([...ALL_DEPLOYMENT, 'ReleaseCreated']);
    await bed.t.api({ method: 'DELETE', url: '/api/v1/reactions/on-release' });
    await bed.subscriptionWith(ALL_DEPLOYMENT);

    // Deleted in Octopus: recreated (by the periodic check, here forced by a test of the connection).
    const before = (await bed.subscriptions())[0]!;
    await fetch(`${bed.sim.url}/api/Spaces-1/subscriptions/${before.Id}`, {
      method: 'DELETE',
      headers: { 'x-octopus-apikey': bed.sim.apiKey },
    });
    await bed.t.api({ method: 'POST', url: '/api/v1/connections/subs/test' });
    const recreated = await bed.subscriptionWith(ALL_DEPLOYMENT);
    expect(recreated.Id).not.toBe(before.Id);
    // The secret did not change: nothing rotates silently.
    expect(recreated.EventNotificationSubscription.WebhookHeaderValue).toBe(before.EventNotificationSubscription.WebhookHeaderValue);

    // Disabled in Octopus, with a filter someone added: repaired in place.
    await fetch(`${bed.sim.url}/api/Spaces-1/subscriptions/${recreated.Id}`, {
      method: 'PUT',
      headers: { 'x-octopus-apikey': bed.sim.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({
        ...recreated,
        IsDisabled: true,
        EventNotificationSubscription: {
          ...recreated.EventNotificationSubscription,
          Filter: { ...recreated.EventNotificationSubscription.Filter, Projects: ['Projects-1'] },
        },
      }),
    });
    await bed.runtimeReconcile();
    await eventually(async () => {
      const [s] = await bed.subscriptions();
      return s && !s.IsDisabled && s.EventNotificationSubscription.Filter.Projects!.length === 0 ? s : undefined;
    });
    expect((await bed.subscriptions())[0]!.Id).toBe(recreated.Id);

    const state = (await bed.t.api({ method: 'GET', url: '/api/v1/connections/subs' })).json<ConnectionBody>();
    expect(state.subscription).toMatchObject({
      id: recreated.Id,
      categories: ALL_DEPLOYMENT,
      lastReconciledAt: expect.any(String),
      error: null,
    });

    // The connection goes: so does its subscription.
    expect((await bed.t.api({ method: 'DELETE', url: '/api/v1/connections/subs' })).statusCode).toBe(204);
    await eventually(async () => ((await bed.subscriptions()).length === 0 ? true : undefined));
  });

  it('lets one instance at a time reconcile: two instances sharing the database make one subscription', async () => {
    await bed.connect('shared');
    const first = await bed.subscriptionWith(ALL_DEPLOYMENT);
    await fetch(`${bed.sim.url}/api/Spaces-1/subscriptions/${first.Id}`, {
      method: 'DELETE',
      headers: { 'x-octopus-apikey': bed.sim.apiKey },
    });
    const store = openStore({ ...bed.t.database.options, masterKey: TEST_MASTER_KEY });
    const http = createHttpClient({ allowHosts: ['127.0.0.1'] });
    const other = storeHost({ store, http, publicUrl: () => bed.t.url!, owner: 'another-instance' });
    try {
      await Promise.all([reconcileNow(other), bed.runtimeReconcile(), reconcileNow(other), bed.runtimeReconcile()]);
      await bed.subscriptionWith(ALL_DEPLOYMENT);
      expect((await bed.subscriptions()).filter((s) => s.Name.startsWith('Shipline shared'))).toHaveLength(1);
    } finally {
      await octopusConnection.stop!(other);
      await http.close();
      await store.close();
    }
    await bed.t.api({ method: 'DELETE', url: '/api/v1/connections/shared' });
    await eventually(async () => ((await bed.subscriptions()).length === 0 ? true : undefined));
  });

  it('works when Octopus shows the header value as a sensitive value, and subscribes only to what is needed without the catalog', async () => {
    bed.sim.setDelivery({ sensitiveHeaderValues: true });
    try {
      await bed.connect('quiet', { trackDeploys: false });
      await bed.t.applyReaction({
        name: 'quiet-failures',
        on: { event: 'octopus.deployment.*', connection: 'quiet', categories: ['DeploymentFailed'] },
        steps: { note: { uses: 'emit', with: { type: 'noted' } } },
      });
      const sub = await bed.subscriptionWith(['DeploymentFailed']);
      expect(sub.EventNotificationSubscription.WebhookHeaderValue).toMatchObject({ HasValue: true });
      // Reconciling again changes nothing: the hidden value is trusted, not rewritten.
      const puts = bed.sim.requests('PUT').length;
      await bed.runtimeReconcile();
      expect(bed.sim.requests('PUT').length).toBe(puts);
      await bed.t.api({ method: 'DELETE', url: '/api/v1/reactions/quiet-failures' });
      // Nothing needs it any more: no subscription, and the connection says so.
      await eventually(async () => ((await bed.subscriptions()).length === 0 ? true : undefined));
      const none = await eventually(async () => {
        const shown = (await bed.t.api({ method: 'GET', url: '/api/v1/connections/quiet' })).json<ConnectionBody>();
        return shown.subscription?.state === 'none' ? shown.subscription : undefined;
      });
      expect(none).toMatchObject({ id: null, categories: [], error: null });
      await bed.t.api({ method: 'DELETE', url: '/api/v1/connections/quiet' });
    } finally {
      bed.sim.setDelivery({ sensitiveHeaderValues: false });
    }
  });

  it('warns (never refuses) of a trigger that can never match: an unknown connection, category, project or environment', async () => {
    await bed.connect('warned');
    const validate = async (on: Record<string, unknown>, role: 'read' | 'write' = 'write') => {
      const res = await bed.t.api({
        method: 'POST',
        url: '/api/v1/reactions/validate',
        role,
        payload: { document: { name: 'never-matches', on, steps: { note: { uses: 'emit', with: { type: 'noted' } } } } },
      });
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json<{ valid: boolean; warnings: string[] }>();
      expect(body.valid).toBe(true);
      return body.warnings;
    };
    const on = { event: 'octopus.deployment.*', connection: 'warned' };
    // What the connection has, by name (any case) or id: nothing to say.
    expect(
      await validate({
        ...on,
        categories: ['DeploymentFailed', 'DeploymentQueued'],
        project: 'payments api',
        environment: 'Environments-1',
      }),
    ).toEqual([]);
    // A category whose events have a type of their own that the reaction does not listen to.
    expect(await validate({ ...on, event: 'octopus.event', categories: ['ReleaseCreated', 'TaskCanceled'] })).toEqual([
      'on.categories: ReleaseCreated events are octopus.release.created, which "octopus.event" does not match, so ReleaseCreated never runs this reaction',
    ]);
    expect(await validate({ ...on, connection: 'nowhere' }, 'read')).toEqual([
      'on.connection: there is no connection named "nowhere", so this reaction never runs',
    ]);
    expect(await validate({ ...on, categories: ['DeploymentFailed', 'DeploymentExploded'] })).toEqual([
      'on.categories: Octopus has no event category "DeploymentExploded", so this reaction never runs',
    ]);
    expect(await validate({ ...on, project: 'Inventory' })).toEqual([
      'on.project: the connection "warned" has no Octopus project "Inventory", so this reaction never runs',
    ]);
    expect(await validate({ ...on, environment: 'QA' })).toEqual([
      'on.environment: the connection "warned" has no Octopus environment "QA", so this reaction never runs',
    ]);
    // The document applies all the same: a warning is not a refusal.
    await bed.t.applyReaction({
      name: 'never-matches',
      on: { ...on, environment: 'QA' },
      steps: { note: { uses: 'emit', with: { type: 'noted' } } },
    });
    await bed.t.api({ method: 'DELETE', url: '/api/v1/reactions/never-matches' });
    await bed.t.api({ method: 'DELETE', url: '/api/v1/connections/warned' });
  });

  it('says nothing, and answers at once, when the connection cannot reach Octopus', async () => {
    const res = await bed.t.api({
      method: 'POST',
      url: '/api/v1/connections',
      payload: { type: 'octopus', name: 'down', config: { serverUrl: 'http://127.0.0.1:9' }, secrets: { apiKey: bed.sim.apiKey } },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json<ConnectionBody>().status).toBe('error');
    const started = Date.now();
    const validated = await bed.t.api({
      method: 'POST',
      url: '/api/v1/reactions/validate',
      payload: {
        document: {
          name: 'down-reaction',
          on: { event: 'octopus.deployment.*', connection: 'down', categories: ['Nope'], project: 'Nope', environment: 'Nope' },
          steps: { note: { uses: 'emit', with: { type: 'noted' } } },
        },
      },
    });
    expect(validated.json()).toMatchObject({ valid: true, warnings: [] });
    expect(Date.now() - started).toBeLessThan(5_000);
    await bed.t.api({ method: 'DELETE', url: '/api/v1/connections/down' });
  });
});
