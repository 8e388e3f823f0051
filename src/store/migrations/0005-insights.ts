import type { Kysely } from 'kysely';

/**
 * Deploy insights (DORA): environment tiers people set, deploys marked as failed, and the indexes
 * the metrics read through. Metrics are computed from deploys when asked; see
 * docs/decisions/0007-dora-metrics.md for why there are no roll-up tables.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('environment_tiers')
    // environmentKey(name): trimmed, lower case.
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('tier', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('deploy_failure_marks')
    // No foreign key, as for deploys: history stays.
    .addColumn('deploy_id', 'text', (c) => c.primaryKey())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('marked_by', 'text')
    .addColumn('marked_at', 'text', (c) => c.notNull())
    .execute();

  // DORA over every service of an environment, and the distinct environments (a skip scan).
  await db.schema.createIndex('deploys_by_environment').on('deploys').columns(['environment', 'deployed_at']).execute();
  // DORA of one service, and the deploy list filtered by service and environment.
  await db.schema
    .createIndex('deploys_by_service_environment')
    .on('deploys')
    .columns(['service_id', 'environment', 'deployed_at', 'id'])
    .execute();
  // Incidents by type and time.
  await db.schema.createIndex('events_by_type').on('events').columns(['type', 'occurred_at']).execute();
}
