// Migration 0019: runs_by_concurrency holds only the runs with a concurrency key, and
// runs_by_status only the runs that have not succeeded, so most runs write no entry there (or
// one that leaves as they succeed). The runs stored before keep every row; the next queued run
// on a key and the run list by status still find theirs, and read through the indexes.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NEXT_QUEUED_ON_KEY } from '../src/store/engine/run-state.js';
import { sqliteDatabaseClass } from '../src/store/sqlite-driver.js';
import { openStore } from '../src/store/index.js';
import type { Store } from '../src/store/index.js';
import type { TestDatabase } from './support/databases.js';
import { DIALECTS, freshDatabase, migrateTo } from './support/databases.js';

// The binding the store opens SQLite with on this Node line (decision 0041), whose prepare is watched.
const Database = sqliteDatabaseClass();
const runId = (n: number) => `018f0000-0000-7000-8000-00000000010${n}`;

/** Runs as an earlier release stored them: two on a key (one queued), and runs without a key that ended. */
const SEEDED = [
  [1, 'deploy-prod', 'running'],
  [2, 'deploy-prod', 'queued'],
  [3, null, 'succeeded'],
  [4, null, 'failed'],
  [5, null, 'succeeded'],
] as const;

describe.each(DIALECTS)('runs_by_concurrency and runs_by_status after migration 0019 (%s)', (dialect) => {
  let database: TestDatabase;
  let store: Store;

  beforeEach(async () => {
    database = await freshDatabase(dialect);
    store = openStore(database.options);
    await migrateTo(store.db.kysely, dialect, '0018-recorded-event-link-postgres');
    await store.db.transaction(async (run) => {
      for (const [n, key, status] of SEEDED) {
        await run.query(
          `INSERT INTO runs (id, reaction, reaction_version, event_id, status, concurrency_key, created_at)
           VALUES (?, 'ship', 1, 'e1', ?, ?, '2026-01-01T00:00:00.000Z')`,
          [runId(n), status, key],
        );
      }
    });
    await store.migrate();
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await store.close();
    await database.drop();
  });

  const query = <R>(sql: string, params: unknown[] = []) => store.db.transaction((run) => run.query<R>(sql, params));
  const listed = async (status?: string) => (await store.runs.list({ status })).items.map((r) => r.id);

  it('keeps every run, finds the next queued run on a key, and lists runs by each status', async () => {
    expect(Number((await query<{ n: number | string }>('SELECT count(*) AS n FROM runs'))[0]!.n)).toBe(SEEDED.length);
    expect(await query(NEXT_QUEUED_ON_KEY, ['deploy-prod'])).toEqual([expect.objectContaining({ id: runId(2) })]);
    expect(await query(NEXT_QUEUED_ON_KEY, ['other'])).toEqual([]);
    expect(await listed('succeeded')).toEqual([runId(5), runId(3)]);
    expect(await listed('failed')).toEqual([runId(4)]);
    expect(await listed('queued')).toEqual([runId(2)]);
    expect(await listed('cancelled')).toEqual([]);
    expect(await listed()).toEqual([5, 4, 3, 2, 1].map(runId));
  });

  it('leaves out of the indexes the runs their readers never look for', async () => {
    if (dialect === 'sqlite') {
      const definition = async (name: string) =>
        (await query<{ sql: string }>('SELECT sql FROM sqlite_master WHERE name = ?', [name]))[0]!.sql;
      expect(await definition('runs_by_concurrency')).toMatch(/where "concurrency_key" is not null/i);
      expect(await definition('runs_by_status')).toMatch(/where "status" <> 'succeeded'/i);
      const entries = async (index: string, condition: string) =>
        (await query<{ n: number }>(`SELECT count(*) AS n FROM runs INDEXED BY ${index} WHERE ${condition}`))[0]!.n;
      expect(await entries('runs_by_concurrency', 'concurrency_key IS NOT NULL')).toBe(2);
      expect(await entries('runs_by_status', "status <> 'succeeded'")).toBe(3);
    } else {
      const definition = async (name: string) =>
        (await query<{ indexdef: string }>('SELECT indexdef FROM pg_indexes WHERE indexname = ?', [name]))[0]!.indexdef;
      expect(await definition('runs_by_concurrency')).toMatch(/WHERE \(concurrency_key IS NOT NULL\)/);
      expect(await definition('runs_by_status')).toMatch(/WHERE \(status <> 'succeeded'::text\)/);
    }
  });

  it('reads the next queued run on a key, and the runs of a status other than succeeded, through the partial indexes', async () => {
    if (dialect === 'sqlite') {
      // INDEXED BY fails to prepare when the query does not imply the partial index's condition.
      const forced = NEXT_QUEUED_ON_KEY.replace('FROM runs', 'FROM runs INDEXED BY runs_by_concurrency');
      expect(await query(forced, ['deploy-prod'])).toEqual([expect.objectContaining({ id: runId(2) })]);
      // The run list's own statement, as it sends it.
      const prepare = vi.spyOn(Database.prototype, 'prepare');
      await listed('failed');
      const listing = prepare.mock.calls.map(([sql]) => String(sql)).find((sql) => sql.startsWith('SELECT * FROM runs WHERE'));
      expect(listing).toBeDefined();
      const plan = (await query<{ detail: string }>(`EXPLAIN QUERY PLAN ${listing!}`, ['failed', 51])).map((r) => r.detail).join('\n');
      expect(plan).toContain('runs_by_status');
    } else {
      // With sequential scans priced out and no other condition to narrow by, a plan reads a
      // partial index only if the query implies its condition (a prepared statement's generic plan).
      const plan = (statement: string, argument: string) =>
        store.db.transaction(async (run) => {
          await run.query('SET LOCAL enable_seqscan = off');
          await run.query('SET LOCAL plan_cache_mode = force_generic_plan');
          await run.query(`PREPARE probe (text) AS ${statement}`);
          const rows = await run.query<{ 'QUERY PLAN': string }>(`EXPLAIN EXECUTE probe ('${argument}')`);
          await run.query('DEALLOCATE probe');
          return rows.map((r) => r['QUERY PLAN']).join('\n');
        });
      expect(await plan('SELECT id FROM runs WHERE concurrency_key = $1', 'deploy-prod')).toContain('runs_by_concurrency');
      expect(await plan("SELECT id FROM runs WHERE status = $1 AND status <> 'succeeded'", 'failed')).toContain('runs_by_status');
    }
  });
});
