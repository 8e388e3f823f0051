import { sql } from 'kysely';
import type { Kysely } from 'kysely';

const BACKFILL_BATCH = 1000;

/**
 * What the web UI asks of runs and events: the runs an event started (by event id), and the events
 * about one deploy. A deploy's `deploy.recorded` event is found without a new column (by type and
 * timestamp, see events.ts), so the ingest writes nothing more; its later events (`deploy.updated`,
 * `octopus.deployment.*`) carry `subject`, the provider deployment's key (the deploy's dedup id),
 * in a partial index that events without one never enter.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('events').addColumn('subject', 'text').execute();
  await db.schema
    .createIndex('events_by_subject')
    .on('events')
    .columns(['subject', 'seq'])
    .where(sql.ref('subject'), 'is not', null)
    .execute();
  await db.schema.createIndex('runs_by_event').on('runs').columns(['event_id', 'id']).execute();
  await backfill(db);
}

type Row = { seq: number | string; type: string; source_key: string | null; data: string };

/** Subjects of the events stored before this migration, computed as the code now writes them. */
async function backfill(db: Kysely<unknown>): Promise<void> {
  let after = 0;
  for (;;) {
    const { rows } = await sql<Row>`SELECT seq, type, source_key, data FROM events
      WHERE seq > ${after} AND (type = 'deploy.updated' OR type LIKE 'octopus.deployment.%') ORDER BY seq LIMIT ${BACKFILL_BATCH}`.execute(
      db,
    );
    for (const row of rows) {
      const subject = subjectOf(row);
      if (subject) await sql`UPDATE events SET subject = ${subject} WHERE seq = ${row.seq}`.execute(db);
    }
    if (rows.length < BACKFILL_BATCH) return;
    after = Number(rows[rows.length - 1]!.seq);
  }
}

function subjectOf(row: Row): string | null {
  let data: { dedupId?: unknown; deploymentId?: unknown };
  try {
    data = JSON.parse(row.data) as typeof data;
  } catch {
    return null;
  }
  if (row.type === 'deploy.updated') return typeof data.dedupId === 'string' ? data.dedupId : null;
  // Octopus events' source key is `octopus:<connection id>:<Event.Id>`; the catalog keys the deploy `octopus:<connection id>:<deployment id>`.
  const connection = /^octopus:([^:]+):/.exec(row.source_key ?? '')?.[1];
  return connection && typeof data.deploymentId === 'string' ? `octopus:${connection}:${data.deploymentId}` : null;
}
