import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { parseDatetime } from '../../core/datetime.js';

const BACKFILL_BATCH = 1000;

/**
 * A deploy marked failed reads failed everywhere: `deploys.status` is the status everyone reads
 * (the list, its filter, the CLI, the UI, the insights), and `reported_status` keeps what the
 * source reported while a failure mark overrides it (NULL otherwise, so the ingest writes nothing
 * more). Clearing the mark puts `reported_status` back. See docs/decisions/0018-a-failed-deploy-reads-failed.md.
 * Octopus times stored with the server's offset are converted to UTC, as they are now stored.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('deploys').addColumn('reported_status', 'text').execute();
  await sql`UPDATE deploys SET reported_status = status, status = 'failed'
    WHERE id IN (SELECT deploy_id FROM deploy_failure_marks)`.execute(db);
  // `?status=failed` (queued, started) as one index range. Most deploys succeed and never enter
  // it, so the ingest pays nothing for it; the list adds the same predicate so both planners use it.
  await sql`CREATE INDEX deploys_not_succeeded ON deploys (status, deployed_at, id) WHERE status <> 'succeeded'`.execute(db);
  await backfillMarkSubjects(db);
  await octopusTimesInUtc(db);
}

/**
 * Octopus deploys and events stored before their times were converted kept Octopus's offset
 * (`…+10:00`), which sorts and filters wrong beside every other (UTC) time: convert them.
 */
async function octopusTimesInUtc(db: Kysely<unknown>): Promise<void> {
  const { rows: deploys } = await sql<{ id: string; deployed_at: string }>`SELECT id, deployed_at FROM deploys
    WHERE source = 'octopus' AND deployed_at NOT LIKE '%Z'`.execute(db);
  for (const row of deploys) {
    const utc = parseDatetime(row.deployed_at);
    if (utc && utc !== row.deployed_at) await sql`UPDATE deploys SET deployed_at = ${utc} WHERE id = ${row.id}`.execute(db);
  }
  let after = 0;
  for (;;) {
    // octopus.* by a range of events_by_type.
    const { rows } = await sql<{ seq: number | string; occurred_at: string }>`SELECT seq, occurred_at FROM events
      WHERE type >= 'octopus.' AND type < 'octopus/' AND seq > ${after} ORDER BY seq LIMIT ${BACKFILL_BATCH}`.execute(db);
    for (const row of rows) {
      const utc = row.occurred_at.endsWith('Z') ? row.occurred_at : parseDatetime(row.occurred_at);
      if (utc && utc !== row.occurred_at) await sql`UPDATE events SET occurred_at = ${utc} WHERE seq = ${row.seq}`.execute(db);
    }
    if (rows.length < BACKFILL_BATCH) return;
    after = Number(rows[rows.length - 1]!.seq);
  }
}

/** Marks made before this migration: their events are about the deploy (`deploy:<id>`), as new ones are. */
async function backfillMarkSubjects(db: Kysely<unknown>): Promise<void> {
  let after = 0;
  for (;;) {
    const { rows } = await sql<{ seq: number | string; data: string }>`SELECT seq, data FROM events
      WHERE type = 'deploy.marked_failed' AND seq > ${after} ORDER BY seq LIMIT ${BACKFILL_BATCH}`.execute(db);
    for (const row of rows) {
      const deployId = deployIdOf(row.data);
      if (deployId) await sql`UPDATE events SET subject = ${`deploy:${deployId}`} WHERE seq = ${row.seq}`.execute(db);
    }
    if (rows.length < BACKFILL_BATCH) return;
    after = Number(rows[rows.length - 1]!.seq);
  }
}

function deployIdOf(data: string): string | null {
  try {
    const parsed = JSON.parse(data) as { deployId?: unknown };
    return typeof parsed.deployId === 'string' ? parsed.deployId : null;
  } catch {
    return null;
  }
}
