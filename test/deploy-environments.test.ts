// Migration 0016: on SQLite deploys' environment names live in deploy_environments, kept by
// triggers, deploys_by_environment (one tree per ingest commit) is gone and deploys_by_time carries
// the environment in its entries. Deploys stored before
// keep every row and every column; environments, their spellings and first deploys read as before;
// later deploys (a new name, one dated before a name's first) keep the table right; the list by
// environment finds the same deploys, page by page. PostgreSQL keeps its index.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseDeployPayload } from '../src/core/deploy-payload.js';
import { openStore } from '../src/store/index.js';
import type { Store } from '../src/store/index.js';
import type { TestDatabase } from './support/databases.js';
import { DIALECTS, freshDatabase, migrateTo } from './support/databases.js';
import { seedPayload } from './support/app.js';

const ENDPOINT = '018f0000-0000-7000-8000-0000000000e1';
const deployId = (n: number) => `018f0000-0000-7000-8000-00000000000${n}`;

// Environment and deployed_at of the deploys stored before 0016: two spellings of production,
// the later-stored one dated first, a staging deploy and one without an environment.
const BEFORE: Array<[string | null, string]> = [
  ['Production', '2026-01-05T00:00:00.000Z'],
  ['production', '2026-01-02T00:00:00.000Z'],
  ['Production', '2026-01-03T00:00:00.000Z'],
  ['staging', '2026-01-04T00:00:00.000Z'],
  [null, '2026-01-01T00:00:00.000Z'],
];

async function seedBefore(store: Store): Promise<void> {
  await store.db.transaction(async (run) => {
    await run.query("INSERT INTO deploy_endpoints (id, name, created_at, internal) VALUES (?, 'ci', '2026-01-01T00:00:00.000Z', 0)", [
      ENDPOINT,
    ]);
    for (const [n, [environment, at]] of BEFORE.entries()) {
      await run.query(
        `INSERT INTO deploys (id, endpoint_id, endpoint, service_alias, environment, description, deployed_at, deploy_number, dedup_id, received_at, status, source, recorded_event_id)
         VALUES (?, ?, 'ci', 'cart', ?, 'old', ?, ?, ?, '2026-01-06T00:00:00.000Z', 'succeeded', 'custom', '')`,
        [deployId(n), ENDPOINT, environment, at, String(n), `old-${n}`],
      );
    }
  });
}

describe.each(DIALECTS)('deploy environments after migration 0016 (%s)', (dialect) => {
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
  const record = async (overrides: Record<string, unknown>) => {
    const parsed = parseDeployPayload(seedPayload(overrides));
    if (!parsed.ok) throw new Error('seed payload invalid');
    return store.ingest.record(ENDPOINT, parsed.input);
  };
  const listed = async (environment: string) => {
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.deploys.list({ environment, limit: 1, ...(cursor ? { cursor } : {}) });
      ids.push(...page.items.map((d) => d.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return ids;
  };

  it('keeps every deploy, reads environments and lists by environment as before, and follows later deploys', async () => {
    await migrateTo(store.db.kysely, dialect, '0015-recorded-event-link');
    await seedBefore(store);
    const rowsBefore = await query('SELECT * FROM deploys ORDER BY id');
    await store.migrate();
    expect(await query('SELECT * FROM deploys ORDER BY id')).toEqual(rowsBefore);

    const indexes = await query<{ name: string }>(
      dialect === 'sqlite'
        ? "SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'deploys_by_environment'"
        : "SELECT indexname AS name FROM pg_indexes WHERE indexname = 'deploys_by_environment'",
    );
    expect(indexes.length).toBe(dialect === 'sqlite' ? 0 : 1);
    if (dialect === 'sqlite') {
      // The time index carries the environment, so a time range tests it without reading the rows.
      expect(
        (await query<{ name: string }>("SELECT name FROM pragma_index_info('deploys_by_time') ORDER BY seqno")).map((c) => c.name),
      ).toEqual(['deployed_at', 'id', 'environment']);
    }
    if (dialect === 'sqlite')
      expect(await query('SELECT name, first_deployed_at FROM deploy_environments ORDER BY name')).toEqual([
        { name: 'Production', first_deployed_at: '2026-01-03T00:00:00.000Z' },
        { name: 'production', first_deployed_at: '2026-01-02T00:00:00.000Z' },
        { name: 'staging', first_deployed_at: '2026-01-04T00:00:00.000Z' },
      ]);

    const environments = await store.environments.list();
    expect(environments.map((e) => [e.key, e.name, e.spellings, e.firstSeenAt])).toEqual([
      ['production', 'production', ['Production', 'production'], '2026-01-02T00:00:00.000Z'],
      ['staging', 'staging', ['staging'], '2026-01-04T00:00:00.000Z'],
    ]);
    expect(await listed('PRODUCTION')).toEqual([deployId(0), deployId(2), deployId(1)]);
    expect(await listed('staging')).toEqual([deployId(3)]);

    // A new name, a deploy dated before staging's first, and a later one to production.
    const preview = await record({ dedup_id: 'new-1', environment: 'Preview-7', deployed_at: '2026-02-01 00:00:00' });
    const early = await record({ dedup_id: 'new-2', environment: 'staging', deployed_at: '2025-12-31 00:00:00' });
    const late = await record({ dedup_id: 'new-3', environment: 'Production', deployed_at: '2026-02-02 00:00:00' });
    expect([preview.result, early.result, late.result]).toEqual(['no_service_found', 'no_service_found', 'no_service_found']);
    // A duplicate is refused and names nothing.
    expect((await record({ dedup_id: 'new-1', environment: 'Refused' })).result).toBe('duplicate_deploy');

    const after = await store.environments.list();
    expect(after.map((e) => [e.key, e.spellings, e.firstSeenAt])).toEqual([
      ['preview-7', ['Preview-7'], '2026-02-01T00:00:00.000Z'],
      ['production', ['Production', 'production'], '2026-01-02T00:00:00.000Z'],
      ['staging', ['staging'], '2025-12-31T00:00:00.000Z'],
    ]);
    expect(await store.environments.spellings('production')).toEqual(['Production', 'production']);
    expect(await listed('preview-7')).toEqual([preview.deploy!.id]);
    expect(await listed('staging')).toEqual([deployId(3), early.deploy!.id]);
    expect(await listed('production')).toEqual([late.deploy!.id, deployId(0), deployId(2), deployId(1)]);
    expect((await store.deploys.environments()).map((e) => [e.name, e.deployCount])).toEqual([
      ['Preview-7', 1],
      ['Production', 4],
      ['staging', 2],
    ]);
  });
});
