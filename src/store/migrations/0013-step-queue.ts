import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * A step due to run is queued on its own execution row rather than by a `jobs` row: `run_at`
 * (when it may be claimed; null once it is not queued) and the claim's lease (`locked_by`,
 * `locked_until`). Queuing, claiming and finishing a step then write one row each instead of
 * two. `jobs` keeps the work of waiting steps (resumes, timeouts, polls). Steps queued by a
 * `jobs` row move onto their execution row.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('step_executions').addColumn('run_at', 'text').execute();
  await db.schema.alterTable('step_executions').addColumn('locked_by', 'text').execute();
  await db.schema.alterTable('step_executions').addColumn('locked_until', 'text').execute();
  await db.schema
    .createIndex('step_executions_due')
    .on('step_executions')
    .column('run_at')
    .where(sql.ref('run_at'), 'is not', null)
    .execute();
  const job = (column: string) =>
    sql`(SELECT j.${sql.ref(column)} FROM jobs j WHERE j.kind = 'step' AND j.run_id = step_executions.run_id AND j.step_id = step_executions.step_id)`;
  await sql`UPDATE step_executions SET run_at = ${job('run_at')}, locked_by = ${job('locked_by')}, locked_until = ${job('locked_until')}
    WHERE EXISTS (SELECT 1 FROM jobs j WHERE j.kind = 'step' AND j.run_id = step_executions.run_id AND j.step_id = step_executions.step_id)`.execute(
    db,
  );
  await sql`DELETE FROM jobs WHERE kind = 'step'`.execute(db);
}
