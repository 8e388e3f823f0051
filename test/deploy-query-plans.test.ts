// Every query the deploy list, DORA and the ingest run on `deploys` is served by an index, on
// both dialects, with the indexes migration 0012 leaves (fewer indexes make each ingest commit
// cheaper; this holds that no query was left to scan the largest table for it).
// PostgreSQL plans by statistics, so an empty table would be scanned anyway: seqscan is
// discouraged there, which makes the planner show the index it would use, or fail to find one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { INGEST } from '../src/store/deploy-batch-pg.js';
import type { Db } from '../src/store/database.js';
import { openDb, REPLAN_EVERY } from '../src/store/database.js';
import type { DialectName, TestDatabase } from './support/databases.js';
import { DIALECTS, freshDatabase, POSTGRES_URL } from './support/databases.js';
import { roundTrips } from './support/pg-round-trips.js';

// On SQLite no index leads with the environment (migration 0016: the names are kept in
// deploy_environments), so what reads deploys by environment takes a range of deploys_by_time,
// whose entries carry the environment.
const byEnvironment = { sqlite: 'deploys_by_time (deployed_at>? AND deployed_at<?)', postgres: 'deploys_by_environment' } as const;

const QUERIES: Array<{ name: string; sql: string; params: unknown[]; index: string | Record<DialectName, string>; only?: DialectName }> = [
  {
    name: 'the deploy list by service, newest first',
    sql: 'SELECT d.* FROM deploys d LEFT JOIN services s ON s.id = d.service_id WHERE d.service_id = ? ORDER BY d.deployed_at DESC, d.id DESC LIMIT 51',
    params: ['svc'],
    index: 'deploys_by_service',
  },
  {
    name: 'the deploy list by service, a later page',
    sql: `SELECT d.* FROM deploys d WHERE d.service_id = ? AND d.deployed_at <= ? AND (d.deployed_at < ? OR (d.deployed_at = ? AND d.id < ?))
      ORDER BY d.deployed_at DESC, d.id DESC LIMIT 51`,
    params: ['svc', '2026-01-01', '2026-01-01', '2026-01-01', 'x'],
    index: 'deploys_by_service',
  },
  {
    name: "DORA's first successful deploy of a service in an environment after a time",
    sql: `SELECT * FROM (SELECT d.id FROM deploys d WHERE d.service_id = ? AND d.environment IN (?, ?)
      AND d.status = 'succeeded' AND d.deployed_at >= ? ORDER BY d.deployed_at, d.id LIMIT 1) x`,
    params: ['svc', 'Production', 'production', '2026-01-01'],
    index: 'deploys_by_service',
  },
  {
    name: "DORA's window of an environment",
    sql: 'SELECT d.id FROM deploys d WHERE d.environment IN (?) AND d.deployed_at >= ? AND d.deployed_at < ? AND d.service_id IS NOT NULL',
    params: ['Production', '2026-01-01', '2026-02-01'],
    index: byEnvironment,
  },
  {
    name: 'the deploy list by environment, newest first, from its first deploy (SQLite)',
    sql: `SELECT d.* FROM deploys d LEFT JOIN services s ON s.id = d.service_id WHERE d.environment IN (?, ?)
      AND d.deployed_at >= (SELECT MIN(first_deployed_at) FROM deploy_environments WHERE name IN (?, ?))
      ORDER BY d.deployed_at DESC, d.id DESC LIMIT 51`,
    params: ['Production', 'production', 'Production', 'production'],
    index: 'deploys_by_time (deployed_at>?)',
    only: 'sqlite',
  },
  {
    name: 'the deploy list by environment, a later page (SQLite)',
    sql: `SELECT d.* FROM deploys d WHERE d.environment IN (?)
      AND d.deployed_at >= (SELECT MIN(first_deployed_at) FROM deploy_environments WHERE name IN (?))
      AND d.deployed_at <= ? AND (d.deployed_at < ? OR (d.deployed_at = ? AND d.id < ?)) ORDER BY d.deployed_at DESC, d.id DESC LIMIT 51`,
    params: ['Production', 'Production', '2026-01-01', '2026-01-01', '2026-01-01', 'x'],
    index: 'deploys_by_time (deployed_at>? AND deployed_at<?)',
    only: 'sqlite',
  },
  {
    name: 'the deploy list by service: has a deploy used an alias no service claims?',
    sql: 'SELECT d.id FROM deploys d WHERE d.service_id IS NULL AND d.service_alias = ? LIMIT 1',
    params: ['alias'],
    index: 'deploys_unclaimed_by_alias',
  },
  {
    name: 'the deploy list, newest first',
    sql: 'SELECT d.* FROM deploys d ORDER BY d.deployed_at DESC, d.id DESC LIMIT 51',
    params: [],
    index: 'deploys_by_time',
  },
  {
    name: 'the deploy list, a later page (a seek to the cursor, not a walk from the newest deploy)',
    sql: `SELECT d.* FROM deploys d WHERE d.deployed_at <= ? AND (d.deployed_at < ? OR (d.deployed_at = ? AND d.id < ?))
      ORDER BY d.deployed_at DESC, d.id DESC LIMIT 51`,
    params: ['2026-01-01', '2026-01-01', '2026-01-01', 'x'],
    index: { sqlite: 'deploys_by_time (deployed_at<?)', postgres: 'deploys_by_time' },
  },
];

async function plan(db: Db, dialect: DialectName, sql: string, params: unknown[]): Promise<string> {
  return db.transaction(async (run) => {
    if (dialect === 'sqlite') {
      const rows = await run.query<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, params);
      return rows.map((r) => r.detail).join('\n');
    }
    await run.query('SET LOCAL enable_seqscan = off');
    await run.query('SET LOCAL enable_sort = off');
    const rows = await run.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, params);
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  });
}

describe.each(DIALECTS)('deploy query plans (%s)', (dialect) => {
  let database: TestDatabase;
  let db: Db;
  beforeAll(async () => {
    database = await freshDatabase(dialect);
    db = openDb(database.options);
    await db.migrate();
  });
  afterAll(async () => {
    await db.close();
    await database.drop();
  });

  it.each(QUERIES.filter((q) => q.only === undefined || q.only === dialect))('$name: uses its index', async ({ sql, params, index }) => {
    const text = await plan(db, dialect, sql, params);
    expect(text).toContain(typeof index === 'string' ? index : index[dialect]);
    // No pass over the table itself (an ordered walk of an index under a LIMIT is fine), and no
    // sort of what the index could have given in order.
    expect(text).not.toMatch(/^SCAN d$|Seq Scan on deploys/m);
    if (dialect === 'sqlite') expect(text).not.toMatch(/TEMP B-TREE/);
  });

  it('has no index on deploys beyond those the queries use (each costs every ingest commit)', async () => {
    const names = await db.transaction((run) =>
      run.query<{ name: string }>(
        dialect === 'sqlite'
          ? "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'deploys' AND name NOT LIKE 'sqlite_autoindex_%' ORDER BY name"
          : "SELECT indexname AS name FROM pg_indexes WHERE tablename = 'deploys' AND indexname NOT LIKE '%_pkey' AND indexname NOT LIKE '%_key' ORDER BY indexname",
      ),
    );
    expect(names.map((n) => n.name)).toEqual([
      ...(dialect === 'sqlite' ? [] : ['deploys_by_environment']),
      'deploys_by_service',
      'deploys_by_time',
      'deploys_not_succeeded',
      'deploys_unclaimed_by_alias',
    ]);
  });
});

// The ingest statement's plan is made once per connection and kept (a prepared statement), often
// while `deploys` is empty: its dedup check must probe the unique index even on a table never
// analyzed, and a plan made while the table was a few pages must not outlive the connection's next
// DISCARD PLANS (decision 0054).
describe.runIf(POSTGRES_URL)('the PostgreSQL ingest statement, planned while deploys was small', () => {
  let database: TestDatabase;
  let client: pg.Client;
  const parameters = (INGEST.match(/\$\d+/g) ?? []).reduce((most, p) => Math.max(most, Number(p.slice(1))), 0);
  const explain = async (name: string) => {
    const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN EXECUTE ${name}(${Array(parameters).fill('NULL').join(', ')})`);
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  };
  beforeAll(async () => {
    database = await freshDatabase('postgres');
    const db = openDb(database.options);
    await db.migrate();
    await db.close();
    client = new pg.Client({ connectionString: database.options.databaseUrl });
    await client.connect();
    await client.query('SET plan_cache_mode = force_generic_plan');
  });
  afterAll(async () => {
    await client.end();
    await database.drop();
  });

  it('checks the dedup ids by the unique index on a table never analyzed, not a pass over the table', async () => {
    const { rows: stats } = await client.query<{ reltuples: number }>("SELECT reltuples FROM pg_class WHERE relname = 'deploys'");
    expect(stats[0]?.reltuples).toBe(-1); // never analyzed: what a new database's first minutes plan with
    await client.query(`PREPARE fresh AS ${INGEST}`);
    const text = await explain('fresh');
    expect(text).toMatch(/Index Only Scan using deploys_dedup_id_key on deploys/);
    expect(text).not.toMatch(/Seq Scan on deploys/);
  });

  it('after DISCARD PLANS, plans a table analyzed while empty by its size of the moment', async () => {
    await client.query('ANALYZE deploys');
    await client.query(`PREPARE kept AS ${INGEST}`);
    await explain('kept'); // planned now, with deploys empty
    await client.query(
      `INSERT INTO deploys (id, endpoint_id, service_alias, description, deployed_at, deploy_number, dedup_id, received_at)
       SELECT 'd' || n, 'e', 'cart', 'x', '2026-01-01T00:00:00.000Z', n::text, 'k' || n, '2026-01-01T00:00:00.000Z'
       FROM generate_series(1, 20000) AS n`,
    );
    await client.query('DISCARD PLANS');
    const text = await explain('kept');
    expect(text).toMatch(/Index Only Scan using deploys_dedup_id_key on deploys/);
    expect(text).not.toMatch(/Seq Scan on deploys/);
  });

  it('has each connection drop its plans every REPLAN_EVERY statements', async () => {
    const db = openDb(database.options);
    // One after another: the pool hands the same idle connection back each time.
    const { sent } = await roundTrips(async () => {
      for (let i = 0; i < 2 * REPLAN_EVERY + 1; i++) await db.statement!('SELECT $1::int AS n', [i]);
    }).finally(() => db.close());
    expect(sent.filter((text) => text === 'DISCARD PLANS')).toHaveLength(2);
    expect(sent.indexOf('DISCARD PLANS')).toBe(REPLAN_EVERY - 1);
  });

  it("drops them so in transactions too, counting the long statements they prepare (the ingest's, with a reaction listening)", async () => {
    const db = openDb(database.options);
    // Long enough to run prepared in a transaction (database.ts PREPARED_FROM_CHARS); short ones are planned each time.
    const long = `SELECT ?::int AS n /* ${'x'.repeat(2_000)} */`;
    const { sent } = await roundTrips(async () => {
      for (let i = 0; i < 2 * REPLAN_EVERY + 1; i++) await db.transaction((run) => run.query(long, [i]));
    }).finally(() => db.close());
    const statements = sent.filter((text) => text !== 'BEGIN' && text !== 'COMMIT');
    expect(statements.filter((text) => text === 'DISCARD PLANS')).toHaveLength(2);
    expect(statements.indexOf('DISCARD PLANS')).toBe(REPLAN_EVERY - 1);
  });
});
