// Migrations 0015 (SQLite) and 0018 (PostgreSQL): a deploy names its deploy.recorded event, so
// that event stays out of events_by_type (one index entry fewer per deploy). Deploys and events
// stored before keep every row, are linked by the migration, and their events are still found;
// the ingest links each new deploy; dedup still refuses a duplicate; the queries by type keep
// their index.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseDeployPayload } from '../src/core/deploy-payload.js';
import { openStore } from '../src/store/index.js';
import type { Store } from '../src/store/index.js';
import type { TestDatabase } from './support/databases.js';
import { DIALECTS, freshDatabase, migrateTo, POSTGRES_URL } from './support/databases.js';
import { seedPayload } from './support/app.js';

const ENDPOINT = '018f0000-0000-7000-8000-0000000000e1';
const deployId = (n: number) => `018f0000-0000-7000-8000-00000000000${n}`;
const eventId = (n: number) => `018f0000-0000-7000-8000-0000000000a${n}`;

/** Three deploys as 0014 left them: one with a compact recorded event, one with the whole deploy as JSON, one without. */
async function seedBefore(store: Store): Promise<void> {
  await store.db.transaction(async (run) => {
    await run.query("INSERT INTO deploy_endpoints (id, name, created_at, internal) VALUES (?, 'ci', '2026-01-01T00:00:00.000Z', 0)", [
      ENDPOINT,
    ]);
    for (const n of [1, 2, 3]) {
      await run.query(
        `INSERT INTO deploys (id, endpoint_id, endpoint, service_alias, environment, description, deployed_at, deploy_number, dedup_id, received_at, status, source)
         VALUES (?, ?, 'ci', 'cart', 'Production', 'old', ?, ?, ?, '2026-01-02T00:00:00.000Z', 'succeeded', 'custom')`,
        [deployId(n), ENDPOINT, `2026-01-01T00:00:0${n}Z`, String(n), `old-${n}`],
      );
    }
    const event = (n: number, data: string) =>
      run.query(
        `INSERT INTO events (id, type, source, occurred_at, data, created_at) VALUES (?, 'deploy.recorded', 'deploy-endpoint:ci', ?, ?, '2026-01-02T00:00:00.000Z')`,
        [eventId(n), `2026-01-01T00:00:0${n}Z`, data],
      );
    await event(1, `deploy:${JSON.stringify({ id: deployId(1), service: null, description: 'old', status: 'succeeded' })}`);
    await event(2, JSON.stringify({ id: deployId(2), serviceAlias: 'cart', environment: 'Production' }));
    await run.query(
      "INSERT INTO events (id, type, source, occurred_at, data, created_at) VALUES (?, 'pagerduty.incident.triggered', 'pd', '2026-01-01T00:00:05Z', '{}', '2026-01-02T00:00:00.000Z')",
      [eventId(9)],
    );
  });
}

describe.each(DIALECTS)('deploys naming their recorded event (%s)', (dialect) => {
  let database: TestDatabase;
  let store: Store;

  beforeEach(async () => {
    database = await freshDatabase(dialect);
    store = openStore(database.options);
  });
  afterEach(async () => {
    await store.close();
    await database.drop();
  });

  const query = <R>(sql: string, params: unknown[] = []) => store.db.transaction((run) => run.query<R>(sql, params));
  const count = async (table: string) => Number((await query<{ n: number | string }>(`SELECT count(*) AS n FROM ${table}`))[0]!.n);

  it('keeps every row through the migration, links each deploy to its event, and finds them all after', async () => {
    await migrateTo(store.db.kysely, dialect, '0014-lean-events');
    await seedBefore(store);
    await store.migrate();
    expect(await count('deploys')).toBe(3);
    expect(await count('events')).toBe(3);
    const links = await query<{ id: string; recorded_event_id: string | null }>('SELECT id, recorded_event_id FROM deploys ORDER BY id');
    expect(links.map((l) => l.recorded_event_id)).toEqual([eventId(1), eventId(2), '']);
    for (const [n, expected] of [
      [1, [eventId(1)]],
      [2, [eventId(2)]],
      [3, []],
    ] as const) {
      const deploy = {
        id: deployId(n),
        deployedAt: `2026-01-01T00:00:0${n}Z`,
        receivedAt: '2026-01-02T00:00:00.000Z',
        dedupId: `old-${n}`,
      };
      expect(await store.events.aboutDeploy(deploy)).toEqual(expected);
    }

    // A new deploy is linked by the ingest, and found; its dedup id is still refused twice.
    const parsed = parseDeployPayload(seedPayload({ dedup_id: 'old-1' }));
    if (!parsed.ok) throw new Error('seed payload invalid');
    expect((await store.ingest.record(ENDPOINT, parsed.input)).result).toBe('duplicate_deploy');
    const fresh = parseDeployPayload(seedPayload({ dedup_id: 'new-1' }));
    if (!fresh.ok) throw new Error('seed payload invalid');
    const { deploy } = await store.ingest.record(ENDPOINT, fresh.input);
    const [recorded] = await query<{ id: string }>("SELECT id FROM events WHERE type = 'deploy.recorded' ORDER BY seq DESC LIMIT 1");
    const [row] = await query<{ recorded_event_id: string | null }>('SELECT recorded_event_id FROM deploys WHERE id = ?', [deploy!.id]);
    expect(row!.recorded_event_id).toBe(recorded!.id);
    expect(await store.events.aboutDeploy(deploy!)).toEqual([recorded!.id]);
  });
});

describe('events_by_type on SQLite after migration 0015', () => {
  let database: TestDatabase;
  let store: Store;

  beforeEach(async () => {
    database = await freshDatabase('sqlite');
    store = openStore(database.options);
    await store.migrate();
  });
  afterEach(async () => {
    await store.close();
    await database.drop();
  });

  const query = <R>(sql: string, params: unknown[] = []) => store.db.transaction((run) => run.query<R>(sql, params));

  it('leaves deploy.recorded out, and the queries by type still read through it', async () => {
    const [index] = await query<{ sql: string }>("SELECT sql FROM sqlite_master WHERE name = 'events_by_type'");
    expect(index!.sql).toMatch(/where "type" <> 'deploy\.recorded'/i);
    const plan = async (sql: string, params: unknown[]) =>
      (await query<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, params)).map((r) => r.detail).join('\n');
    // The insights' incidents, the event list by one type, and a deploy's recorded event by its id.
    expect(
      await plan("SELECT id FROM events WHERE type IN (?, ?) AND type <> 'deploy.recorded' AND occurred_at >= ? AND occurred_at < ?", [
        'a',
        'b',
        '1',
        '2',
      ]),
    ).toContain('events_by_type');
    expect(await plan("SELECT id FROM events WHERE type = ? AND type <> 'deploy.recorded' ORDER BY seq DESC LIMIT 51", ['a'])).toContain(
      'events_by_type',
    );
    expect(await plan("SELECT id, data FROM events WHERE id = ? AND type = 'deploy.recorded'", ['x'])).toMatch(
      /SEARCH events USING INDEX sqlite_autoindex_events_1/,
    );
  });
});

describe.runIf(POSTGRES_URL)('events_by_type on PostgreSQL after migration 0018', () => {
  let database: TestDatabase;
  let store: Store;

  beforeEach(async () => {
    database = await freshDatabase('postgres');
    store = openStore(database.options);
    await store.migrate();
  });
  afterEach(async () => {
    await store.close();
    await database.drop();
  });

  it("leaves deploy.recorded out, and the insights' query by type can read through it", async () => {
    const [index] = await store.db.transaction((run) =>
      run.query<{ indexdef: string }>("SELECT indexdef FROM pg_indexes WHERE indexname = 'events_by_type'"),
    );
    expect(index!.indexdef).toMatch(/WHERE \(type <> 'deploy\.recorded'::text\)/);
    // With sequential scans priced out, a plan reads the index only where the query implies its condition.
    const plan = await store.db.transaction(async (run) => {
      await run.query('SET LOCAL enable_seqscan = off');
      const rows = await run.query<{ 'QUERY PLAN': string }>(
        "EXPLAIN SELECT id FROM events WHERE type IN ('a', 'b') AND type <> 'deploy.recorded' AND occurred_at >= '1' AND occurred_at < '2'",
      );
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    expect(plan).toContain('events_by_type');
  });
});
