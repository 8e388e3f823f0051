import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app.js';
import { openStore } from '../../src/store/index.js';
import { PUBLIC_URL, seedPayload } from '../support/app.js';
import { DIALECTS, freshDatabase, migrateTo } from '../support/databases.js';
import type { OctopusTestBed } from '../support/octopus.js';
import { octopusTestBed, simDeploy } from '../support/octopus.js';
import type { EngineTestApp } from '../support/runtime.js';
import { startEngineApp, TEST_MASTER_KEY } from '../support/runtime.js';
import { eventually } from '../support/sink.js';

// A deploy endpoint's id is its credential: whoever holds it records deploys that start reactions.
// Below `write` no view may show one; Shipline's own (internal) endpoints are no deploy endpoints.

interface Listed {
  id: string;
  name: string;
  url: string;
}

/** The first Server-Sent Event frame with data, as text. */
async function firstFrame(response: Response): Promise<string> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body!) {
    buffer += decoder.decode(chunk as Uint8Array, { stream: true });
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (block.includes('\ndata: ') || block.startsWith('data: ')) return block;
    }
  }
  throw new Error('the stream ended without an event');
}

describe.each(DIALECTS)('deploy endpoint credentials on %s', (dialect) => {
  let t: EngineTestApp;
  let base: string;
  let endpoint: Listed;

  const read = async (url: string) => {
    const res = await t.api({ method: 'GET', url, role: 'read' });
    expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
    return res;
  };
  const post = (path: string, body: Record<string, unknown>) =>
    t.app.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(seedPayload({ dedup_id: undefined, ...body })),
    });
  const storedEndpoints = () => t.store.db.kysely.selectFrom('deploy_endpoints').select(['id', 'name']).execute();

  beforeAll(async () => {
    t = await startEngineApp(dialect);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    await t.applyReaction({
      name: 'copy-the-deploy',
      on: { event: 'deploy.recorded', filter: { serviceAlias: 'cred-svc' } },
      steps: { copy: { uses: 'emit', with: { type: 'cred.copied', data: { event: '{{ event | json }}', source: '{{ event.source }}' } } } },
    });
    const created = await t.api({ method: 'POST', url: '/api/v1/deploy-endpoints', role: 'write', payload: { name: 'pipeline' } });
    endpoint = created.json<Listed>();
    expect((await post(new URL(endpoint.url).pathname, { service: 'cred-svc', environment: 'Production' })).statusCode).toBe(202);
  });
  afterAll(() => t.close());

  it('a read token reading deploys (list, detail, environments) never sees the endpoint id, only its name', async () => {
    const list = await read('/api/v1/deploys?service=cred-svc');
    expect(list.body).not.toContain(endpoint.id);
    const [deploy] = list.json<{ items: Array<{ id: string; endpoint: string }> }>().items;
    expect(deploy!.endpoint).toBe('pipeline');
    expect((await read(`/api/v1/deploys/${deploy!.id}`)).body).not.toContain(endpoint.id);
    expect((await read('/api/v1/environments')).body).not.toContain(endpoint.id);
    // Filtering by endpoint goes by its name.
    expect((await read('/api/v1/deploys?endpoint=pipeline')).json<{ items: unknown[] }>().items).toHaveLength(1);
    expect((await read('/api/v1/deploys?endpoint=elsewhere')).json<{ items: unknown[] }>().items).toHaveLength(0);
  });

  it('a read token reading events (list, detail) never sees the endpoint id, only its name', async () => {
    const list = await read('/api/v1/events?limit=500');
    expect(list.body).not.toContain(endpoint.id);
    const recorded = list
      .json<{ items: Array<{ id: string; type: string; source: string; data: { endpoint?: string } }> }>()
      .items.find((e) => e.type === 'deploy.recorded')!;
    expect(recorded.source).toBe('deploy-endpoint:pipeline');
    expect(recorded.data.endpoint).toBe('pipeline');
    expect((await read(`/api/v1/events/${recorded.id}`)).body).not.toContain(endpoint.id);
    const suggested = list.json<{ items: Array<{ id: string; type: string }> }>().items.find((e) => e.type === 'suggestion.created')!;
    expect((await read(`/api/v1/events/${suggested.id}`)).body).not.toContain(endpoint.id);
  });

  it('a read token on the live event stream never sees the endpoint id of a deploy posted meanwhile', async () => {
    const abort = new AbortController();
    const response = await fetch(`${base}/api/v1/events/stream?type=deploy.recorded`, {
      headers: { authorization: `Bearer ${t.tokens.read}` },
      signal: abort.signal,
    });
    expect(response.status).toBe(200);
    const frame = firstFrame(response);
    expect((await post(new URL(endpoint.url).pathname, { service: 'streamed-svc' })).statusCode).toBe(202);
    const text = await frame;
    abort.abort();
    expect(text).toContain('streamed-svc');
    expect(text).not.toContain(endpoint.id);
  });

  it('a read token reading a run whose step copied the whole event never sees the endpoint id', async () => {
    const run = await t.runReaching({ reaction: 'copy-the-deploy' }, ['succeeded', 'failed']);
    expect(run.status).toBe('succeeded');
    const shown = await read(`/api/v1/runs/${run.id}`);
    expect(shown.body).toContain('deploy-endpoint:pipeline');
    expect(shown.body).not.toContain(endpoint.id);
    expect((await read('/api/v1/runs?reaction=copy-the-deploy')).body).not.toContain(endpoint.id);
    expect((await read('/api/v1/events?type=cred.copied')).body).not.toContain(endpoint.id);
  });

  it("a write or admin token managing deploy endpoints sees their ids and URLs, and never an internal endpoint (a connection's, the reactions' built-in one)", async () => {
    const connection = await t.store.connections.create({ name: 'chat', type: 'slack', config: {}, secrets: {} });
    // The reactions' built-in endpoint exists once a reaction recorded a deploy.
    await t.applyReaction({
      name: 'record-one',
      on: { event: 'cred.record' },
      steps: { record: { uses: 'deploy.record', with: { service: 'builtin-svc', description: 'from a reaction' } } },
    });
    await t.store.events.append({ type: 'cred.record', source: 'test', data: {} });
    expect((await t.runReaching({ reaction: 'record-one' }, ['succeeded', 'failed'])).status).toBe('succeeded');
    const internal = (await storedEndpoints()).filter((e) => e.id !== endpoint.id);
    expect(internal.map((e) => e.id)).toContain(connection.endpointId);
    expect(internal).toHaveLength(2);

    for (const role of ['write', 'admin'] as const) {
      const res = await t.api({ method: 'GET', url: '/api/v1/deploy-endpoints', role });
      expect(res.json<{ items: Listed[] }>().items).toEqual([{ ...endpoint }]);
      for (const e of internal) expect(res.body).not.toContain(e.id);
    }
    expect((await t.api({ method: 'GET', url: '/api/v1/deploy-endpoints', role: 'read' })).statusCode).toBe(403);
    // The built-in endpoint's deploy names it, never by its id.
    const builtin = (await read('/api/v1/deploys?service=builtin-svc')).json<{ items: Array<{ endpoint: string }> }>().items;
    expect(builtin.map((d) => d.endpoint)).toEqual(['reactions (built-in)']);
  });

  it('an internal endpoint can be neither deleted nor posted to', async () => {
    const internal = (await storedEndpoints()).filter((e) => e.id !== endpoint.id);
    expect(internal).toHaveLength(2);
    for (const e of internal) {
      const res = await t.api({ method: 'DELETE', url: `/api/v1/deploy-endpoints/${e.id}`, role: 'admin' });
      expect(res.statusCode).toBe(404);
      expect(res.json<{ error: { code: string } }>().error.code).toBe('endpoint.not_found');
      expect((await post(`/integrations/deploy/${e.id}`, { service: 'intruder-svc' })).statusCode).toBe(404);
    }
    expect((await storedEndpoints()).map((e) => e.id).sort()).toEqual([endpoint.id, ...internal.map((e) => e.id)].sort());
    // No deploy ever used the alias: the list says so.
    const intruder = await t.api({ method: 'GET', url: '/api/v1/deploys?service=intruder-svc', role: 'read' });
    expect(intruder.json<{ error: { code: string } }>().error.code).toBe('service.not_found');
  });

  it('a read token reading connections never sees their endpoint id', async () => {
    const { endpointId } = await t.store.connections.get('chat');
    for (const url of ['/api/v1/connections', '/api/v1/connections/chat']) expect((await read(url)).body).not.toContain(endpointId);
  });
});

describe.each(DIALECTS)("an Octopus connection's endpoint on %s", (dialect) => {
  let bed: OctopusTestBed;

  beforeAll(async () => {
    bed = await octopusTestBed(dialect);
    await bed.connect('prod');
    await bed.subscriptionWith(['DeploymentFailed', 'DeploymentQueued', 'DeploymentStarted', 'DeploymentSucceeded']);
  });
  afterAll(() => bed.close());

  it("keeps recording the connection's deploys after an attempt to delete its endpoint", async () => {
    const { endpointId } = await bed.t.store.connections.get('prod');
    const removed = await bed.t.api({ method: 'DELETE', url: `/api/v1/deploy-endpoints/${endpointId}` });

    const { deploymentId } = await simDeploy(bed.sim, 'Web', '1.0.1', 'Production');
    const deploy = await eventually(
      async () => {
        const items = (await bed.t.api({ method: 'GET', url: '/api/v1/deploys?source=octopus&limit=100', role: 'read' })).json<{
          items: Array<{ dedupId: string; endpoint: string }>;
        }>().items;
        return items.find((d) => d.dedupId.endsWith(`:${deploymentId}`));
      },
      20_000,
      'the Octopus deploy recorded',
    );
    expect(deploy.endpoint).toBe('octopus: prod');
    expect(removed.statusCode).toBe(404);
    expect((await bed.t.api({ method: 'GET', url: '/api/v1/deploy-endpoints' })).body).not.toContain(endpointId);
    expect((await bed.t.api({ method: 'GET', url: '/api/v1/connections/prod' })).json<{ status: string }>().status).toBe('ready');
  }, 60_000);
});

describe.each(DIALECTS)('records made before endpoints were named, on %s', (dialect) => {
  it('a read token never sees the endpoint id in deploys, events and runs recorded before the upgrade', async () => {
    const database = await freshDatabase(dialect);
    const store = openStore({ ...database.options, masterKey: TEST_MASTER_KEY });
    const app = await buildApp({ store, config: { publicUrl: PUBLIC_URL, bodyLimit: 1024 * 1024 } });
    try {
      await migrateTo(store.db.kysely, dialect, '0007-event-subjects');
      const now = new Date().toISOString();
      const live = '0192aaaa-0000-7000-8000-00000000000a';
      const gone = '0192bbbb-0000-7000-8000-00000000000b';
      const builtin = '0192cccc-0000-7000-8000-00000000000c';
      const octopus = 'f'.repeat(32);
      const deploy = (id: string, endpointId: string) => ({
        id,
        endpointId,
        serviceAlias: 'old-svc',
        status: 'succeeded',
        source: 'custom',
      });
      await store.db.transaction(async (run) => {
        for (const [id, name] of [
          [live, 'pipeline "one"'],
          [builtin, 'reactions (built-in)'],
          [octopus, 'octopus: prod'],
        ]) {
          await run.query('INSERT INTO deploy_endpoints (id, name, created_at) VALUES (?, ?, ?)', [id, name, now]);
        }
        await run.query(
          'INSERT INTO connections (id, name, type, config, secrets, state, endpoint_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
          ['c1', 'prod', 'octopus', '{}', 'sealed', '{}', octopus, now, now],
        );
        for (const [id, endpointId] of [
          ['d1', live],
          ['d2', gone],
          ['d3', octopus],
        ] as const) {
          await run.query(
            'INSERT INTO deploys (id, endpoint_id, service_alias, description, deployed_at, deploy_number, received_at, status, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
            [id, endpointId, 'old-svc', 'old', now, '1', now, 'succeeded', 'custom'],
          );
          await run.query('INSERT INTO events (id, type, source, source_key, occurred_at, data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
            `e-${id}`,
            'deploy.recorded',
            `deploy-endpoint:${endpointId}`,
            null,
            now,
            JSON.stringify(deploy(id, endpointId)),
            now,
          ]);
        }
        // A reaction's copy of the event, and a run whose step rendered it.
        await run.query('INSERT INTO events (id, type, source, source_key, occurred_at, data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
          'e-copy',
          'cred.copied',
          'reaction:copy',
          null,
          now,
          JSON.stringify({ event: { source: `deploy-endpoint:${live}`, data: deploy('d1', live) } }),
          now,
        ]);
        await run.query(
          "INSERT INTO runs (id, reaction, reaction_version, event_id, status, created_at) VALUES ('r1', 'copy', 1, 'e-d1', 'failed', ?)",
          [now],
        );
        await run.query(
          "INSERT INTO step_executions (run_id, step_id, status, attempt, input, output, error, logs, attempts, created_at) VALUES ('r1', 'copy', 'failed', 1, ?, ?, ?, ?, '[]', ?)",
          [
            JSON.stringify({ body: JSON.stringify(deploy('d1', live)) }),
            JSON.stringify({ url: `${PUBLIC_URL}/integrations/deploy/${live}` }),
            `POST /integrations/deploy/${gone} answered 404`,
            JSON.stringify([`posting to ${live}`]),
            now,
          ],
        );
      });
      await store.migrate();
      const token = (await store.tokens.create('reader', 'read')).token;
      const bodies = await Promise.all(
        ['/api/v1/deploys', '/api/v1/events?limit=500', '/api/v1/runs/r1', '/api/v1/events/e-copy'].map(async (url) => {
          const res = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
          expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
          return res.body;
        }),
      );
      for (const body of bodies) for (const id of [live, gone, builtin, octopus]) expect(body).not.toContain(id);
      const deploys = JSON.parse(bodies[0]!) as { items: Array<{ id: string; endpoint: string | null }> };
      expect(Object.fromEntries(deploys.items.map((d) => [d.id, d.endpoint]))).toEqual({
        d1: 'pipeline "one"',
        d2: null,
        d3: 'octopus: prod',
      });
      const events = (
        JSON.parse(bodies[1]!) as { items: Array<{ id: string; source: string; data: { endpoint?: unknown; endpointId?: unknown } }> }
      ).items;
      const recorded = events.find((e) => e.id === 'e-d1')!;
      expect([recorded.source, recorded.data.endpoint, recorded.data.endpointId]).toEqual([
        'deploy-endpoint:pipeline "one"',
        'pipeline "one"',
        undefined,
      ]);
      expect(events.find((e) => e.id === 'e-d2')!.data.endpoint).toBeNull();
      // Copies stay valid JSON at any depth: inside a string of JSON the name loses what JSON escapes.
      const step = (JSON.parse(bodies[2]!) as { steps: Array<{ input: { body: string } }> }).steps[0]!;
      expect((JSON.parse(step.input.body) as { endpoint: string }).endpoint).toBe('pipeline one');
      // The internal endpoints are neither listed nor deletable any more.
      const writer = (await store.tokens.create('writer', 'write')).token;
      const listed = await app.inject({ method: 'GET', url: '/api/v1/deploy-endpoints', headers: { authorization: `Bearer ${writer}` } });
      expect(listed.json<{ items: Listed[] }>().items.map((e) => e.id)).toEqual([live]);
      const removed = await app.inject({
        method: 'DELETE',
        url: `/api/v1/deploy-endpoints/${builtin}`,
        headers: { authorization: `Bearer ${writer}` },
      });
      expect(removed.statusCode).toBe(404);
    } finally {
      await app.close();
      await store.close();
      await database.drop();
    }
  });
});
