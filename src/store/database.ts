import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { CompiledQuery, Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { MigrationContext } from './migrations/index.js';
import { migrationProvider } from './migrations/index.js';
import type { Database } from './schema.js';

/**
 * Runs portable SQL written with `?` placeholders. The hot ingest path uses it instead of the
 * query builder: building and compiling a Kysely query per statement costs more than the insert.
 */
export interface SqlRunner {
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]>;
}

export interface Db {
  kysely: Kysely<Database>;
  /** Runs `work` in one transaction with a raw runner; on SQLite, holding the only connection. */
  transaction<T>(work: (run: SqlRunner) => Promise<T>): Promise<T>;
  migrate(): Promise<string[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
  /** Short description for logs: `sqlite:/path/shipline.db` or `postgres://host/db` (no password). */
  describe: string;
}

export interface DbOptions {
  dataDir: string;
  databaseUrl?: string | undefined;
}

export function openDb(options: DbOptions): Db {
  return options.databaseUrl ? openPostgres(options.databaseUrl) : openSqlite(options.dataDir);
}

function migrateWith(kysely: Kysely<Database>, ctx: MigrationContext) {
  return async (): Promise<string[]> => {
    const migrator = new Migrator({ db: kysely, provider: migrationProvider(ctx), migrationTableName: 'shipline_migrations', migrationLockTableName: 'shipline_migrations_lock' });
    const { error, results } = await migrator.migrateToLatest();
    if (error) throw error;
    return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  };
}

function openSqlite(dataDir: string): Db {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'shipline.db');
  const raw = new SqliteDatabase(file);
  raw.pragma('journal_mode = WAL');
  // FULL: a commit is on disk before its 202 goes out. Group commit keeps this fast.
  raw.pragma('synchronous = FULL');
  raw.pragma('foreign_keys = ON');
  raw.pragma('busy_timeout = 5000');
  // 64 MiB of page cache (the default is 2 MiB): index pages of a busy deploys table stay hot.
  raw.pragma('cache_size = -65536');
  // Checkpoint every ~40 MiB of WAL instead of 4 MiB: a page rewritten by many commits is copied
  // back to the database once per checkpoint, so fewer checkpoints mean less copying under load.
  raw.pragma('wal_autocheckpoint = 10000');
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: raw }) });

  const statements = new Map<string, SqliteDatabase.Statement>();
  const run: SqlRunner = {
    async query<R>(sql: string, params: readonly unknown[] = []) {
      let stmt = statements.get(sql);
      if (!stmt) {
        stmt = raw.prepare(sql);
        statements.set(sql, stmt);
      }
      if (stmt.reader) return stmt.all(params as unknown[]) as R[];
      stmt.run(params as unknown[]);
      return [];
    },
  };

  // Kysely's SQLite driver has one connection behind a mutex; holding it makes our raw
  // statements on the same handle exclusive.
  const exclusive = <T>(work: () => Promise<T>) => kysely.connection().execute(work);

  return {
    kysely,
    describe: `sqlite:${file}`,
    transaction: (work) =>
      exclusive(async () => {
        raw.exec('BEGIN IMMEDIATE');
        try {
          const result = await work(run);
          raw.exec('COMMIT');
          return result;
        } catch (err) {
          if (raw.inTransaction) raw.exec('ROLLBACK');
          throw err;
        }
      }),
    migrate: migrateWith(kysely, {
      autoIncrementType: 'integer',
      autoIncrementColumn: (c) => c.autoIncrement(),
    }),
    ping: async () => {
      raw.prepare('SELECT 1').get();
    },
    close: () => kysely.destroy(),
  };
}

function toPgPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

function openPostgres(url: string): Db {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const converted = new Map<string, string>();
  const runnerFor = (trx: Kysely<Database>): SqlRunner => ({
    async query<R>(sql: string, params: readonly unknown[] = []) {
      let text = converted.get(sql);
      if (text === undefined) {
        text = toPgPlaceholders(sql);
        converted.set(sql, text);
      }
      const result = await trx.executeQuery<R>(CompiledQuery.raw(text, [...params]));
      return result.rows;
    },
  });
  const parsed = new URL(url);
  return {
    kysely,
    describe: `postgres://${parsed.host}${parsed.pathname}`,
    transaction: (work) => kysely.transaction().execute((trx) => work(runnerFor(trx))),
    migrate: migrateWith(kysely, {
      autoIncrementType: 'bigserial',
      autoIncrementColumn: (c) => c,
    }),
    ping: async () => {
      await kysely.executeQuery(CompiledQuery.raw('SELECT 1'));
    },
    close: () => kysely.destroy(),
  };
}
