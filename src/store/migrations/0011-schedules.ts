import type { Kysely } from 'kysely';

/**
 * Scheduled reactions:
 * - `schedule_versions`: from when each version of a scheduled reaction counts its ticks (the
 *   first an instance saw of it), so a newly applied or re-enabled reaction replays no history;
 * - `schedule_ticks`: each tick fired, with its event; the newest gives where catch-up starts,
 *   and the API shows the last ones. The tick's event is unique by its source key, and the row is
 *   written in the same transaction, only by the instance that stored that event.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('schedule_versions')
    .addColumn('reaction', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('since', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('schedule_versions_pk', ['reaction', 'version'])
    .execute();
  await db.schema
    .createTable('schedule_ticks')
    .addColumn('reaction', 'text', (c) => c.notNull())
    .addColumn('scheduled_at', 'text', (c) => c.notNull())
    .addColumn('fired_at', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('schedule_ticks_pk', ['reaction', 'scheduled_at'])
    .execute();
}
