import { sql } from 'kysely';
import type { Kysely } from 'kysely';

const BACKFILL_BATCH = 1000;

/**
 * A deploy marked failed reads failed everywhere: `deploys.status` is the status everyone reads
 * (the list, its filter, the CLI, the UI, the insights), and `reported_status` keeps what the
 * source reported while a failure mark overrides it (NULL otherwise, so the ingest writes nothing
 * more). Clearing the mark puts `reported_status` back. See docs/decisions/0018-a-failed-deploy-reads-failed.md.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('deploys').addColumn('reported_status', 'text').execute();
  await sql`UPDATE deploys SET reported_status = status, status = 'failed'
    WHERE id IN (SELECT deploy_id FROM deploy_failure_marks)`.execute(db);
  // `?status=failed` (queued, started) as one index range. Most deploys succeed and never enter
  // it, so the ingest pays nothing for it; the list adds the same predicate so both planners use it.
  await sql`CREATE INDEX deploys_not_succeeded ON deploys (status, deployed_at, id) WHERE status <> 'succeeded'`.execute(db);
  await backfillMarkSubjects(db);
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
