// A deploy.recorded event is stored compact (src/store/deploy-events.ts) and rebuilt from its
// deploy row by every reader: the API (one event, the list, the stream's reads), the engine (what a
// reaction's templates see) and the insights timeline all read the deploy as it was recorded,
// member for member and in the same order, even after the deploy row and its service changed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './support/databases.js';
import type { EngineTestApp } from './support/runtime.js';
import { startEngineApp } from './support/runtime.js';
import { eventually, Sink } from './support/sink.js';

type Json = Record<string, unknown>;

describe.each(DIALECTS)('deploy.recorded data on %s', (dialect) => {
  let t: EngineTestApp;
  let sink: Sink;

  beforeAll(async () => {
    sink = await new Sink().start();
    t = await startEngineApp(dialect);
    await t.api({ method: 'POST', url: '/api/v1/services', payload: { name: 'shopping_cart' } });
  });
  afterAll(async () => {
    await t.close();
    await sink.close();
  });

  /** The deploy as the API reads it now, without what the API looks up beside the row: the recorded deploy. */
  async function deployAsRecorded(dedupId: string): Promise<Json> {
    const page = (await t.api({ method: 'GET', url: '/api/v1/deploys?limit=500' })).json<{ items: Json[] }>();
    const listed = page.items.find((d) => d.dedupId === dedupId)!;
    const full = (await t.api({ method: 'GET', url: `/api/v1/deploys/${String(listed.id)}` })).json<Json>();
    const deploy: Json = { ...full, deployer: { ...(full.deployer as Json) } };
    delete deploy.failure;
    delete deploy.reportedStatus;
    delete (deploy.deployer as Json).user;
    return deploy;
  }

  /** The deploy's recorded event, found as the web UI finds it, read through the API. */
  async function recordedEvent(deploy: Json): Promise<Json> {
    const ids = await t.store.events.aboutDeploy(deploy as { id: string; deployedAt: string; receivedAt: string; dedupId: string | null });
    return (await t.api({ method: 'GET', url: `/api/v1/events/${ids[0]!}` })).json<Json>();
  }

  it('reads as recorded everywhere, byte for byte, after the deploy row and its service change', async () => {
    await t.applyReaction({
      name: 'echo-recorded',
      on: { event: 'deploy.recorded', filter: { serviceAlias: ['shopping_cart', 'fresh-alias'] } },
      steps: {
        echo: { uses: 'http.request', with: { method: 'POST', url: `${sink.url}/echo`, body: { data: '{{ data | json }}' } } },
      },
    });
    await t.ingest({ dedup_id: 'compact-1', deploy_url: 'https://ci.example/1', deploy_number: '41' });
    await t.ingest({
      service: 'fresh-alias',
      dedup_id: 'compact-2',
      description: 'Caf\u00e9 "quoted" \\ line\nbreak \u2028',
      deployer: { email: 'someone@example.com' },
      status: 'failed',
    });
    const recorded = [await deployAsRecorded('compact-1'), await deployAsRecorded('compact-2')];
    expect(recorded[1]!.service).toBeNull();

    // What the reaction saw: the engine read each event back from the store for its step.
    const echoed = await eventually(
      async () => {
        const bodies = sink.requests.filter((r) => r.path === '/echo').map((r) => (JSON.parse(r.body) as { data: string }).data);
        return bodies.length >= 2 ? bodies : undefined;
      },
      20_000,
      'both runs calling the sink',
    );
    expect(echoed.sort()).toEqual(recorded.map((d) => JSON.stringify(d)).sort());

    // The deploy row moves on: its service is renamed, an alias is claimed, status and words change.
    await t.api({ method: 'PATCH', url: '/api/v1/services/shopping_cart', payload: { name: 'cart' } });
    await t.api({ method: 'POST', url: '/api/v1/services/cart/aliases', payload: { alias: 'fresh-alias' } });
    await t.store.db.transaction((run) =>
      run.query(
        "UPDATE deploys SET status = 'started', description = 'changed', deployer_name = 'Changed' WHERE dedup_id LIKE 'compact-%'",
      ),
    );
    expect((await deployAsRecorded('compact-1')).service).toMatchObject({ name: 'cart' });

    const listed = (await t.api({ method: 'GET', url: '/api/v1/events?type=deploy.recorded&limit=500' })).json<{ items: Json[] }>().items;
    for (const deploy of recorded) {
      const event = await recordedEvent(deploy);
      expect(event.type).toBe('deploy.recorded');
      expect(JSON.stringify(event.data)).toBe(JSON.stringify(deploy));
      const inList = listed.find((e) => e.id === event.id)!;
      expect(JSON.stringify(inList.data)).toBe(JSON.stringify(deploy));
      // The live stream reads by position.
      const [streamed] = await t.store.events.atSeqs([Number(event.seq)]);
      expect(JSON.stringify(streamed!.data)).toBe(JSON.stringify(deploy));
      const [after] = await t.store.events.after(Number(event.seq) - 1, 1);
      expect(JSON.stringify(after!.data)).toBe(JSON.stringify(deploy));
    }
    const timeline = await t.store.insights.runsBetween('2000-01-01T00:00:00.000Z', '2100-01-01T00:00:00.000Z');
    const seen = timeline.filter((r) => r.reaction === 'echo-recorded').map((r) => JSON.stringify(r.eventData));
    expect(seen.sort()).toEqual(recorded.map((d) => JSON.stringify(d)).sort());
  });

  it('stores the recorded deploy compact: the members a deploy row keeps are not repeated', async () => {
    await t.ingest({ dedup_id: 'compact-size', deploy_url: 'https://ci.example/size' });
    const rows = await t.store.db.transaction(async (run) => {
      const [deploy] = await run.query<{ id: string }>("SELECT id FROM deploys WHERE dedup_id = 'compact-size'");
      return run.query<{ data: string }>("SELECT data FROM events WHERE type = 'deploy.recorded' AND data LIKE ?", [`%${deploy!.id}%`]);
    });
    expect(rows).toHaveLength(1);
    const [row] = rows;
    expect(row!.data).not.toContain('compact-size');
    expect(row!.data).not.toContain('https://ci.example/size');
    expect(row!.data).not.toContain('Production');
  });
});
