import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * One B-tree fewer in every SQLite ingest commit (see docs/decisions/0036): each index costs a
 * commit 3–5 rewritten pages of 4 KiB whatever its entries' size, and `events_by_type` took one
 * entry per ingested deploy only so that the lookup of a deploy's events could find its
 * `deploy.recorded` by type and time. The deploy now names that event (`recorded_event_id`,
 * `''` when none is stored), and on SQLite `events_by_type` holds every other type.
 * PostgreSQL's one-statement ingest does not name the event yet, so there the column stays null,
 * the index keeps every type and the lookup by type and time goes on serving it.
 */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  await db.schema.alterTable('deploys').addColumn('recorded_event_id', 'text').execute();
  if (!ctx.linksRecordedEventsIn0015) return;
  // The recorded event as the lookup found it until now, through the full index by type and time:
  // its data names the deploy, compact (`deploy:` and JSON) or as the whole deploy in JSON.
  await sql`UPDATE deploys SET recorded_event_id = coalesce((
      SELECT e.id FROM events e
      WHERE e.type = 'deploy.recorded' AND e.occurred_at = deploys.deployed_at AND e.created_at = deploys.received_at
        AND CASE WHEN e.data LIKE 'deploy:%' THEN json_extract(substr(e.data, 8), '$.id')
                 WHEN json_valid(e.data) THEN json_extract(e.data, '$.id') END = deploys.id
      ORDER BY e.seq LIMIT 1), '')`.execute(db);
  await db.schema.dropIndex('events_by_type').execute();
  await db.schema
    .createIndex('events_by_type')
    .on('events')
    .columns(['type', 'occurred_at'])
    .where(sql.ref('type'), '<>', 'deploy.recorded')
    .execute();
}
