import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * Two fewer B-trees rewritten by every ingest commit (see docs/decisions/0035):
 * - `source_key` is unique through a partial index that only events with a key enter. Ingested
 *   deploys have none, yet each of their events put a NULL entry into the unique constraint's tree.
 * - On SQLite `seq` is the rowid without AUTOINCREMENT, so no commit rewrites `sqlite_sequence`.
 *   AUTOINCREMENT only differs from the rowid's own max + 1 when the newest row is deleted: a
 *   trigger refuses that delete, so a position is never handed out twice (the live stream and
 *   every reader that resumes after a position rely on it). PostgreSQL's sequence never goes back.
 * SQLite cannot drop a column's UNIQUE or AUTOINCREMENT, so it copies the table into a new one.
 */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  if (ctx.rebuildsTablesToDropConstraints) await rebuildSqlite(db);
  else await sql`ALTER TABLE events DROP CONSTRAINT events_source_key_key`.execute(db);
  await db.schema
    .createIndex('events_by_source_key')
    .unique()
    .on('events')
    .column('source_key')
    .where(sql.ref('source_key'), 'is not', null)
    .execute();
}

async function rebuildSqlite(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE TABLE events_lean (
    seq integer PRIMARY KEY,
    id text NOT NULL UNIQUE,
    type text NOT NULL,
    source text NOT NULL,
    source_key text,
    occurred_at text NOT NULL,
    data text NOT NULL,
    created_at text NOT NULL,
    subject text
  )`.execute(db);
  await sql`INSERT INTO events_lean (seq, id, type, source, source_key, occurred_at, data, created_at, subject)
    SELECT seq, id, type, source, source_key, occurred_at, data, created_at, subject FROM events ORDER BY seq`.execute(db);
  await sql`DROP TABLE events`.execute(db);
  await sql`ALTER TABLE events_lean RENAME TO events`.execute(db);
  await db.schema
    .createIndex('events_by_subject')
    .on('events')
    .columns(['subject', 'seq'])
    .where(sql.ref('subject'), 'is not', null)
    .execute();
  await db.schema.createIndex('events_by_type').on('events').columns(['type', 'occurred_at']).execute();
  await sql`CREATE TRIGGER events_keep_newest BEFORE DELETE ON events
    WHEN old.seq >= (SELECT max(seq) FROM events)
    BEGIN SELECT RAISE(ABORT, 'the newest event cannot be deleted: its position would be handed out again'); END`.execute(db);
}
