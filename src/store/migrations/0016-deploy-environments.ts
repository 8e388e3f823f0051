import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * One B-tree fewer in every SQLite ingest commit (see docs/decisions/0045): `deploys_by_environment`
 * took an entry per deploy, rewriting 4–5 pages of 4 KiB per commit, for three jobs:
 * - the distinct environment names and when each was first deployed to: now a table of its own,
 *   `deploy_environments`, one row per name, kept by triggers on `deploys` so that every writer
 *   (the ingest, a seed, a hand-made row) keeps it right. A deploy to a known environment, at or
 *   after its first deploy, changes nothing in it, so an ingest commit writes none of its pages;
 * - DORA's window of an environment: a range of `deploys_by_time` (the window) instead, whose
 *   entries now carry the environment, so the deploys of other environments in the window are
 *   passed over in the index without reading their rows (DORA over all services read 2× slower
 *   without it, at 4 environments);
 * - the deploy list filtered by environment: walks `deploys_by_time` newest first, from the newest
 *   deploy back to the environment's first, and stops at a page's worth.
 * PostgreSQL keeps the index (its ingest is one statement and no trigger is wanted there).
 */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  if (!ctx.keepsDeployEnvironments) return;
  await sql`CREATE TABLE deploy_environments (
    name text PRIMARY KEY,
    first_deployed_at text NOT NULL
  ) WITHOUT ROWID`.execute(db);
  await sql`INSERT INTO deploy_environments (name, first_deployed_at)
    SELECT environment, MIN(deployed_at) FROM deploys WHERE environment IS NOT NULL GROUP BY environment`.execute(db);
  // Writes only for a new name, or a deploy dated before the name's first one.
  const seen = sql.raw(`INSERT INTO deploy_environments (name, first_deployed_at) VALUES (new.environment, new.deployed_at)
    ON CONFLICT (name) DO UPDATE SET first_deployed_at = excluded.first_deployed_at
    WHERE excluded.first_deployed_at < deploy_environments.first_deployed_at;`);
  await sql`CREATE TRIGGER deploys_environment_seen AFTER INSERT ON deploys WHEN new.environment IS NOT NULL
    BEGIN ${seen} END`.execute(db);
  // Shipline never changes a deploy's environment or time; a change made by hand is followed too.
  await sql`CREATE TRIGGER deploys_environment_changed AFTER UPDATE OF environment, deployed_at ON deploys WHEN new.environment IS NOT NULL
    BEGIN ${seen} END`.execute(db);
  await db.schema.dropIndex('deploys_by_environment').execute();
  // The environment joins the time index's entries: a walk of a time range then tests each
  // deploy's environment in the index and reads only the rows of the environments asked for.
  await db.schema.dropIndex('deploys_by_time').execute();
  await db.schema.createIndex('deploys_by_time').on('deploys').columns(['deployed_at', 'id', 'environment']).execute();
}
