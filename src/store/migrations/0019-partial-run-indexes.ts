import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * Two indexes of `runs` keep only the runs their readers look for, so that most runs write no
 * entry there, or one that leaves again as the run ends (docs/decisions/0065):
 * - `runs_by_concurrency`: the runs with a concurrency key. Its one reader looks up the queued
 *   runs of one key (`concurrency_key = ?`, which implies `IS NOT NULL` on both stores). Most
 *   reactions declare no concurrency, yet every run took an entry and moved it at each change
 *   of status.
 * - `runs_by_status`: the runs that have not succeeded. Its one reader is the run list filtered
 *   by a status; that query states `status <> 'succeeded'` for the other statuses, and lists the
 *   succeeded runs, most of all runs, newest first from the table's own order. Every run moved
 *   its entry from `running` to `succeeded` as it ended, an insertion inside the index (not at
 *   its end) that rewrote pages in every commit; now the entry is deleted from a small index whose
 *   pages the commit writes anyway.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('runs_by_concurrency').execute();
  await db.schema
    .createIndex('runs_by_concurrency')
    .on('runs')
    .columns(['concurrency_key', 'status'])
    .where(sql.ref('concurrency_key'), 'is not', null)
    .execute();
  await db.schema.dropIndex('runs_by_status').execute();
  await db.schema.createIndex('runs_by_status').on('runs').columns(['status', 'id']).where(sql.ref('status'), '<>', 'succeeded').execute();
}
