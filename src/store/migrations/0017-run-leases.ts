import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * A run's first step handed to the process that queues it is not stored until it ends (see
 * docs/decisions/0046): the run's row holds the step's lease instead. `lease_step` names that
 * step (null: none was handed over); `locked_by` and `locked_until` are its lease while the step
 * runs without a row of its own, and null once it has one or the run ended. A lease that runs out
 * (its process died) lets any claim store the step as pending and take it over. The partial index
 * finds those runs without reading the others.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('runs').addColumn('lease_step', 'text').execute();
  await db.schema.alterTable('runs').addColumn('locked_by', 'text').execute();
  await db.schema.alterTable('runs').addColumn('locked_until', 'text').execute();
  await db.schema.createIndex('runs_leased').on('runs').column('locked_until').where(sql.ref('locked_until'), 'is not', null).execute();
}
