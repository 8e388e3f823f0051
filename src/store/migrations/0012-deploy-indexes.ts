import type { Kysely } from 'kysely';

/**
 * One index for every query by service instead of two. Each index on `deploys` costs every
 * ingest commit its own rewritten pages (leaf, parents, splits: 4 to 6 of 4 KiB per commit
 * under load, see docs/decisions/0025), and `(service_id, deployed_at)` and
 * `(service_id, environment, deployed_at, id)` served the same queries between them:
 * - the deploy list by service, newest first, now walks `(service_id, deployed_at, id)` in order
 *   with no sort of the service's deploys (the id breaks ties as the list's order does);
 * - the first successful deploy of a service in an environment after a time (DORA's restore and
 *   rollback look-ahead) walks the service's deploys from that time and stops at the first match;
 * - DORA's window scan by environment keeps `deploys_by_environment`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('deploys_by_service_environment').execute();
  await db.schema.dropIndex('deploys_by_service').execute();
  await db.schema.createIndex('deploys_by_service').on('deploys').columns(['service_id', 'deployed_at', 'id']).execute();
}
