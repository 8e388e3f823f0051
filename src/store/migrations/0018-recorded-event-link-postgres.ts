import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * What 0015 did on SQLite, on PostgreSQL: its ingest statement now names each deploy's
 * `deploy.recorded` event on the deploy's row (deploy-batch-pg.ts), so that event leaves
 * `events_by_type`: one index entry fewer per deploy, 5–6% of the WAL an ingest writes
 * (docs/decisions/0058).
 *
 * The deploys stored before are linked here, through the full index while it still stands, as
 * the lookup found their event until now: the event's timestamp is the deploy's `deployed_at`,
 * its stored time the deploy's `received_at`, and its data names the deploy first, in the compact
 * form (`deploy:{"id":…`) or as the whole deploy in JSON (`{"id":…`; both are how Shipline wrote
 * it). Matching the text's start, not parsing it, means that no event's data can fail the
 * migration. A deploy without such an event gets `''`, as on SQLite.
 */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  if (ctx.linksRecordedEventsIn0015) return; // SQLite: 0015 did it.
  await sql`UPDATE deploys d SET recorded_event_id = coalesce((
      SELECT e.id FROM events e
      WHERE e.type = 'deploy.recorded' AND e.occurred_at = d.deployed_at AND e.created_at = d.received_at
        AND (starts_with(e.data, 'deploy:{"id":' || to_json(d.id)::text || ',')
          OR starts_with(e.data, '{"id":' || to_json(d.id)::text || ','))
      ORDER BY e.seq LIMIT 1), '')
    WHERE d.recorded_event_id IS NULL`.execute(db);
  await db.schema.dropIndex('events_by_type').execute();
  await db.schema
    .createIndex('events_by_type')
    .on('events')
    .columns(['type', 'occurred_at'])
    .where(sql.ref('type'), '<>', 'deploy.recorded')
    .execute();
}
