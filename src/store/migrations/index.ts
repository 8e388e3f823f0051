import type { ColumnDefinitionBuilder, Kysely, Migration, MigrationProvider } from 'kysely';
import { Migrator } from 'kysely';
import * as initial from './0001-initial.js';
import * as reactions from './0002-reactions.js';
import * as connections from './0003-connections.js';
import * as kv from './0004-kv.js';
import * as insights from './0005-insights.js';
import * as users from './0006-users.js';
import * as eventSubjects from './0007-event-subjects.js';
import * as secretHosts from './0008-secret-hosts.js';
import * as deployFailureStatus from './0009-deploy-failure-status.js';
import * as endpointNames from './0010-endpoint-names.js';
import * as schedules from './0011-schedules.js';
import * as deployIndexes from './0012-deploy-indexes.js';
import * as stepQueue from './0013-step-queue.js';
import * as leanEvents from './0014-lean-events.js';
import * as recordedEventLink from './0015-recorded-event-link.js';
import * as deployEnvironments from './0016-deploy-environments.js';
import * as runLeases from './0017-run-leases.js';
import * as recordedEventLinkPostgres from './0018-recorded-event-link-postgres.js';
import * as partialRunIndexes from './0019-partial-run-indexes.js';

/** What a migration may need to know of the dialect, as capabilities rather than a name. */
export interface MigrationContext {
  autoIncrementType: 'integer' | 'bigserial';
  autoIncrementColumn(col: ColumnDefinitionBuilder): ColumnDefinitionBuilder;
  /** A column's UNIQUE or AUTOINCREMENT can only go by copying the table into a new one (SQLite). */
  rebuildsTablesToDropConstraints: boolean;
  /**
   * Migration 0015 links each deploy to its `deploy.recorded` event and leaves that event out of
   * `events_by_type` (SQLite, whose ingest named the event from then on); where it does not,
   * 0018 does (PostgreSQL, whose ingest names it since then). Both ingests name it now.
   */
  linksRecordedEventsIn0015: boolean;
  /**
   * Deploys' environment names are kept in `deploy_environments` by triggers, in place of the
   * index `deploys_by_environment` (0016, SQLite).
   */
  keepsDeployEnvironments: boolean;
}

/** What SQLite's migrations are told (database.ts; tests that stop at an earlier migration use it too). */
export const SQLITE_MIGRATIONS: MigrationContext = {
  autoIncrementType: 'integer',
  autoIncrementColumn: (c) => c.autoIncrement(),
  rebuildsTablesToDropConstraints: true,
  linksRecordedEventsIn0015: true,
  keepsDeployEnvironments: true,
};

/** What PostgreSQL's migrations are told. */
export const POSTGRES_MIGRATIONS: MigrationContext = {
  autoIncrementType: 'bigserial',
  autoIncrementColumn: (c) => c,
  rebuildsTablesToDropConstraints: false,
  linksRecordedEventsIn0015: false,
  keepsDeployEnvironments: false,
};

type Step = { up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> };

/** The versioned migration set, in order. Never edit a released one: add the next. */
const STEPS: Record<string, Step> = {
  '0001-initial': initial,
  '0002-reactions': reactions,
  '0003-connections': connections,
  '0004-kv': kv,
  '0005-insights': insights,
  '0006-users': users,
  '0007-event-subjects': eventSubjects,
  '0008-secret-hosts': secretHosts,
  '0009-deploy-failure-status': deployFailureStatus,
  '0010-endpoint-names': endpointNames,
  '0011-schedules': schedules,
  '0012-deploy-indexes': deployIndexes,
  '0013-step-queue': stepQueue,
  '0014-lean-events': leanEvents,
  '0015-recorded-event-link': recordedEventLink,
  '0016-deploy-environments': deployEnvironments,
  '0017-run-leases': runLeases,
  '0018-recorded-event-link-postgres': recordedEventLinkPostgres,
  '0019-partial-run-indexes': partialRunIndexes,
};

export function migrationProvider(ctx: MigrationContext): MigrationProvider {
  return {
    async getMigrations() {
      const out: Record<string, Migration> = {};
      for (const [name, step] of Object.entries(STEPS)) out[name] = { up: (db) => step.up(db, ctx) };
      return out;
    },
  };
}

/** The migrator of a store's database: its migrations, in Shipline's own migration tables. */
export function shiplineMigrator<DB>(db: Kysely<DB>, ctx: MigrationContext): Migrator {
  return new Migrator({
    db,
    provider: migrationProvider(ctx),
    migrationTableName: 'shipline_migrations',
    migrationLockTableName: 'shipline_migrations_lock',
    // Kysely's default compares names with localeCompare, whose first call loads ICU's collation
    // (about 6 ms of every start on a migrated store, decision 0061). The names are ASCII: code unit order is theirs.
    nameComparator: (a, b) => (a < b ? -1 : a > b ? 1 : 0),
  });
}
