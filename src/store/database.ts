import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type SqliteDatabase from 'better-sqlite3';
import { CompiledQuery, Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import type pg from 'pg';
import type { MigrationContext } from './migrations/index.js';
import { POSTGRES_MIGRATIONS, shiplineMigrator, SQLITE_MIGRATIONS } from './migrations/index.js';
import { ensurePrivateDir, preparePrivateDatabase } from './file-modes.js';
import type { OutageChange } from './outage.js';
import { markUnavailable, OutageMonitor } from './outage.js';
import type { CheckpointStats } from './wal-checkpointer.js';
import { startWalCheckpointer } from './wal-checkpointer.js';
import { sqliteDatabaseClass } from './sqlite-driver.js';
import { WalSync } from './wal-sync.js';
import type { Database } from './schema.js';

/**
 * Runs portable SQL written with `?` placeholders. The hot ingest path uses it instead of the
 * query builder: building and compiling a Kysely query per statement costs more than the insert.
 */
export interface SqlRunner {
  query<R = unknown>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /**
   * Wakes listeners of `channel` (in this process and, on PostgreSQL, in every process sharing
   * the database) once the surrounding transaction commits; nothing if it rolls back.
   */
  notify(channel: string): Promise<void>;
  /**
   * Calls `settled(true)` once the surrounding transaction committed (on disk, as `transaction`
   * resolves), `settled(false)` if it rolled back: work handed to this process by a transaction
   * must not start before the transaction is durable, nor be forgotten when it is undone.
   */
  onSettled(settled: (committed: boolean) => void): void;
}

export interface Db {
  kysely: Kysely<Database>;
  /**
   * Runs `work` in one transaction with a raw runner; on SQLite, holding the only connection
   * until the commit is on disk (the WAL synced off the event loop). Resolves once it is.
   * `lazy: true` lets the commit return before it is on disk, for writes that may be lost in a
   * crash (job claims): the next durable commit makes it durable too, since both logs are
   * written in order.
   */
  transaction<T>(work: (run: SqlRunner) => Promise<T>, options?: { lazy?: boolean }): Promise<T>;
  /**
   * Where each statement is a network round trip (PostgreSQL): runs one statement (`$n`
   * placeholders) as a transaction of its own, without BEGIN and COMMIT. It is atomic, and
   * committed and durable when it resolves. Absent on SQLite.
   */
  statement?<R = unknown>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** Wakes listeners of `channel` now, outside any transaction (after work that committed). */
  signal(channel: string): Promise<void>;
  migrate(): Promise<string[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
  /** Calls `handler` whenever a committed transaction notified `channel`; returns the unsubscribe. */
  listen(channel: string, handler: () => void): Promise<() => Promise<void>>;
  /** `FOR UPDATE SKIP LOCKED` where processes share the database; empty where one process owns it. */
  skipLocked: string;
  /**
   * The statement that makes the transaction it runs in the only writer of `table` until it ends
   * (readers go on), for a check-then-insert no other process may interleave with; empty where
   * every transaction already writes alone (SQLite: BEGIN IMMEDIATE takes the database's write lock).
   */
  exclusiveWrites(table: string): string;
  /** True when several processes may share this database (their leases matter). */
  shared: boolean;
  /** Deploys' environment names are read from `deploy_environments` (SQLite, migration 0016), not from an index on deploys. */
  keepsDeployEnvironments: boolean;
  /** Short description for logs: `sqlite:/path/shipline.db` or `postgres://host/db` (no password). */
  describe: string;
  /** SQLite: what the background checkpointer has done so far (see wal-checkpointer.ts). */
  walCheckpoints?(): CheckpointStats;
  /**
   * Tells outages (the database unreachable, a connection terminated, a locked or full file) from
   * other errors: callers `report` every store error they meet and answer 503 when it says true.
   */
  outage: OutageMonitor;
}

export interface DbOptions {
  dataDir: string;
  databaseUrl?: string | undefined;
  /** Trouble that does not stop the store (a failed background checkpoint); default: ignored. */
  onWarning?: ((message: string) => void) | undefined;
  /** Called when a store outage starts and when it ends (see outage.ts); default: nothing. */
  onOutage?: ((change: OutageChange) => void) | undefined;
  /** SQLite: the WAL's size at which the background checkpointer starts (see wal-checkpointer.ts). */
  walCheckpointFromBytes?: number | undefined;
}

export function openDb(options: DbOptions): Db {
  return options.databaseUrl
    ? openPostgres(options.databaseUrl, options.onOutage)
    : openSqlite(options.dataDir, options.onWarning ?? (() => undefined), options.onOutage, options.walCheckpointFromBytes);
}

function migrateWith(kysely: Kysely<Database>, ctx: MigrationContext) {
  return async (): Promise<string[]> => {
    const { error, results } = await shiplineMigrator(kysely, ctx).migrateToLatest();
    if (error) throw error;
    return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  };
}

function openSqlite(
  dataDir: string,
  onWarning: (message: string) => void,
  onOutage?: (change: OutageChange) => void,
  walCheckpointFromBytes?: number,
): Db {
  // 0700 and 0600 whatever the umask: the database holds every record and the encrypted secrets.
  ensurePrivateDir(dataDir, onWarning);
  const file = path.join(dataDir, 'shipline.db');
  preparePrivateDatabase(file);
  const raw = new (sqliteDatabaseClass())(file);
  raw.pragma('journal_mode = WAL');
  // FULL: a commit is on disk before its 202 goes out. Group commit keeps this fast.
  raw.pragma('synchronous = FULL');
  raw.pragma('foreign_keys = ON');
  // LIKE as PostgreSQL has it (case-sensitive), so event type filters mean the same on both.
  raw.pragma('case_sensitive_like = ON');
  raw.pragma('busy_timeout = 5000');
  // Statement journals and temporary tables in memory. A batch's multi-row insert records the
  // pages it changes in a statement journal (to undo just that statement on a constraint error);
  // past 64 KiB SQLite spills it to a temp file, created, written and deleted once per batch.
  raw.pragma('temp_store = MEMORY');
  // 8 MiB of page cache (the default is 2 MiB): enough for the pages a batch of inserts touches
  // (the right-hand leaves of time-ordered indexes, the upper levels of the others); the rest are
  // a read from the OS's file cache away. 64 MiB made a process grow by about 75 MiB over its
  // first 100,000 deploys; with 8 the deploy rate measured alongside did not fall (decision 0034).
  raw.pragma('cache_size = -8192');
  // Checkpoint every ~40 MiB of WAL instead of 4 MiB: a page rewritten by many commits is copied
  // back to the database once per checkpoint, so fewer checkpoints mean less copying under load.
  raw.pragma('wal_autocheckpoint = 10000');
  // Copies committed frames into the database file from another thread, so the checkpoint
  // above finds almost nothing left to do when it runs inside a commit on the event loop. Its
  // thread starts once the WAL has grown to need it (decision 0043).
  const checkpointer = startWalCheckpointer(
    file,
    (message) => onWarning(`background WAL checkpoint failed: ${message}`),
    undefined,
    walCheckpointFromBytes,
  );
  // Once a sync of the WAL has failed, nothing says which of its frames are on disk: Linux may
  // have dropped the pages it could not write and cleared the error, so a later sync that succeeds
  // proves nothing about them, and a redo that finds the rows committed would acknowledge deploys
  // a power loss can still undo. As PostgreSQL does on a failed fsync, the store then stops: every
  // statement, the query builder's too, is refused as an outage (503) until Shipline restarts and
  // SQLite reads back what the disk really holds.
  let syncFailure: Error | undefined;
  const refuseAfterFailedSync = () => {
    if (syncFailure) throw syncFailure;
  };
  const failedSync = (err: unknown): Error => {
    if (!syncFailure) {
      const reason = err instanceof Error ? err.message : String(err);
      syncFailure = markUnavailable(
        new Error(`the SQLite WAL could not be synced to disk (${reason}); the store refuses all work until Shipline is restarted`, {
          cause: err,
        }),
      );
      onWarning(syncFailure.message);
      // Nor are frames copied into the database file from here on.
      void checkpointer.stop();
    }
    return syncFailure;
  };
  /** Syncs the WAL; a failure stops the store (`failedSync`). */
  const syncWal = () => walSync.sync().catch((err: unknown) => Promise.reject(failedSync(err)));
  const guarded = { prepare: (sql: string) => (refuseAfterFailedSync(), raw.prepare(sql)), close: () => void raw.close() };
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: guarded }) });

  const statements = new Map<string, SqliteDatabase.Statement>();
  const local = new LocalChannels();
  const pending = new Set<string>();
  let settling: ((committed: boolean) => void)[] = [];
  const walSync = new WalSync(`${file}-wal`);
  // Prepared once: raw.pragma() would compile the statement on every transaction.
  const syncNormal = raw.prepare('PRAGMA synchronous = NORMAL');
  const syncFull = raw.prepare('PRAGMA synchronous = FULL');
  // SQLite applies `PRAGMA synchronous` while compiling it: preparing these set NORMAL and then
  // FULL, and a prepared pragma's first run only marks it to be compiled again. Run once each
  // here, so that the first transaction's NORMAL takes effect too (it committed under FULL,
  // an fsync on the event loop). The connection is left at FULL.
  syncNormal.run();
  syncFull.run();
  const migrateSqlite = migrateWith(kysely, SQLITE_MIGRATIONS);
  // Whether the transaction under way changed anything, so has WAL frames to sync.
  let wrote = false;
  const run: SqlRunner = {
    async notify(channel: string) {
      notifyChannel(channel); // refused as on PostgreSQL
      pending.add(channel);
    },
    onSettled(settled) {
      settling.push(settled);
    },
    async query<R>(sql: string, params: readonly unknown[] = []) {
      let stmt = statements.get(sql);
      if (!stmt) {
        stmt = raw.prepare(sql);
        statements.set(sql, stmt);
      }
      if (stmt.reader) {
        const rows = stmt.all(params as unknown[]) as R[];
        // INSERT … RETURNING is a reader that writes.
        if (!wrote && !stmt.readonly) wrote = true;
        return rows;
      }
      stmt.run(params as unknown[]);
      wrote = true;
      return [];
    },
  };

  // Kysely's SQLite driver has one connection behind a mutex; holding it makes our raw
  // statements on the same handle exclusive.
  const exclusive = <T>(work: () => Promise<T>) => kysely.connection().execute(work);

  const ping = async () => {
    refuseAfterFailedSync();
    raw.prepare('SELECT 1').get();
  };
  const outage = new OutageMonitor(ping, onOutage);
  return {
    kysely,
    outage,
    describe: `sqlite:${file}`,
    transaction: (work, options) =>
      exclusive(async () => {
        refuseAfterFailedSync();
        // In WAL mode NORMAL commits without an fsync. A lazy commit stays so until the next
        // durable one; any other is synced below, off the event loop, before it resolves.
        syncNormal.run();
        raw.exec('BEGIN IMMEDIATE');
        pending.clear();
        settling = [];
        wrote = false;
        let committed = false;
        try {
          const result = await work(run);
          raw.exec('COMMIT');
          // The connection stays held until the frames are on disk: no other transaction (a
          // job claim that calls out, a read the API answers) sees a change a power loss could
          // still undo, exactly as when COMMIT itself synced.
          if (wrote && !options?.lazy) await syncWal();
          committed = true;
          if (wrote) checkpointer.committed(options?.lazy ? undefined : walSync.bytes);
          for (const channel of pending) local.emit(channel);
          return result;
        } catch (err) {
          // After an I/O error or a full disk SQLite may have rolled back already, or fail to:
          // the caller is told of the first error, not of the rollback's.
          try {
            if (raw.inTransaction) raw.exec('ROLLBACK');
          } catch {
            // the connection stays usable; the next BEGIN reports what is still wrong
          }
          throw err;
        } finally {
          pending.clear();
          for (const settled of settling.splice(0)) settled(committed);
          // FULL for what runs outside transaction(): the query builder's own statements.
          syncFull.run();
        }
      }),
    listen: async (channel, handler) => local.on(channel, handler),
    signal: async (channel) => local.emit(channel),
    skipLocked: '',
    exclusiveWrites: () => '',
    shared: false,
    keepsDeployEnvironments: SQLITE_MIGRATIONS.keepsDeployEnvironments,
    migrate: async () => {
      // Kysely runs SQLite's DDL outside transactions, so each statement of each migration is a
      // commit of its own: 104 fsyncs for a fresh store under FULL. NORMAL syncs none of them, and
      // one sync of the WAL at the end makes them all durable before the server opens. A power loss
      // in between loses a suffix of those commits (the WAL is read back only up to its first bad
      // frame), the same state as a crash between two of them under FULL; the next start runs
      // what is missing. Decision 0043.
      // raw.pragma, not the prepared statements: SQLite applies `PRAGMA synchronous` when it
      // compiles the statement, so the first run of one prepared earlier changes nothing.
      refuseAfterFailedSync();
      raw.pragma('synchronous = NORMAL');
      try {
        const applied = await migrateSqlite();
        if (fs.existsSync(`${file}-wal`)) await syncWal();
        return applied;
      } finally {
        raw.pragma('synchronous = FULL');
      }
    },
    ping,
    walCheckpoints: () => checkpointer.stats(),
    // The checkpointer first: the last connection to close checkpoints and removes the WAL.
    close: () => {
      outage.close();
      return checkpointer
        .stop()
        .then(() => kysely.destroy())
        .finally(() => walSync.close());
    },
  };
}

/** A channel's name in PostgreSQL (notify, signal, listen); only names of Shipline's own channels (letters and `_`) are taken. */
function notifyChannel(channel: string): string {
  if (!/^[a-z_]+$/.test(channel)) throw new Error(`not a Shipline notification channel: ${JSON.stringify(channel)}`);
  return `shipline_${channel}`;
}

/**
 * `COMMIT`, preceded by the transaction's notifications in the same simple query: one round trip.
 * The channel names are Shipline's own (notifyChannel), never data, so they are written into
 * the text. Should a notification fail, PostgreSQL skips the rest of the query: the transaction
 * is aborted and rolled back, as when the notification was sent on its own.
 */
function commitNotifying(channels: ReadonlySet<string>): string {
  if (channels.size === 0) return 'COMMIT';
  return `SELECT ${[...channels].map((channel) => `pg_notify('${channel}', '')`).join(', ')}; COMMIT`;
}

function toPgPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** In a transaction, statements at least this long are prepared once per connection (the ingest's is ~5,800). */
const PREPARED_FROM_CHARS = 2_000;

/** Statements a connection runs before its prepared statements are planned again (see replanNowAndThen). */
export const REPLAN_EVERY = 64;
const runsSinceReplan = new WeakMap<object, number>();

/**
 * PostgreSQL keeps a prepared statement's plan for as long as the connection lives, until an
 * `ANALYZE` of a table it reads invalidates it. A plan made while `deploys` was a few pages can
 * scan it, which is cheap then and grows with the table (docs/decisions/0054); autovacuum's next
 * `ANALYZE` may be a minute away, or never come where it is off. Every REPLAN_EVERY statements a
 * connection drops its plans (`DISCARD PLANS`: the statements stay prepared), so its next plan is
 * made with the tables' sizes of the moment: one more round trip and one planning per 64 batches.
 */
async function replanNowAndThen(client: pg.PoolClient): Promise<void> {
  const runs = (runsSinceReplan.get(client) ?? 0) + 1;
  runsSinceReplan.set(client, runs % REPLAN_EVERY);
  if (runs === REPLAN_EVERY) await client.query('DISCARD PLANS');
}

// The PostgreSQL driver is loaded only when a database URL is configured: a SQLite server never needs it.
let pgDriver: typeof pg | undefined;
const postgresDriver = () => (pgDriver ??= createRequire(import.meta.url)('pg') as typeof pg);

function openPostgres(url: string, onOutage?: (change: OutageChange) => void): Db {
  // A connection that cannot be had in 10 s fails the request (503) instead of hanging it.
  const pool = new (postgresDriver().Pool)({ connectionString: url, max: 10, connectionTimeoutMillis: 10_000 });
  // An idle connection that the server closes (a restart, a failover, an administrator) is
  // reported here; the pool has already dropped it and the next query opens a fresh one.
  // Without a listener the event would crash the process.
  pool.on('error', () => undefined);
  // The same for a connection in use: its query fails (and the caller hears of it), the pool
  // drops it on release, but the client also emits 'error', which unheard crashes the process.
  pool.on('connect', (client) => client.on('error', () => undefined));
  // Failing to get a connection at all is an outage, whatever the server's reason.
  const connections = {
    connect: () => pool.connect().catch((err: unknown) => Promise.reject(markUnavailable(err))),
    end: () => pool.end(),
  } as unknown as pg.Pool;
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool: connections }) });
  const converted = new Map<string, string>();
  const statementNames = new Map<string, string>();
  const ping = async () => {
    await kysely.executeQuery(CompiledQuery.raw('SELECT 1'));
  };
  const outage = new OutageMonitor(ping, onOutage);
  const listener = new PgListener(url, outage);
  /** The name a statement is prepared under on each connection, derived from its text. */
  const nameOf = (text: string) => {
    let name = statementNames.get(text);
    if (name === undefined) {
      name = `shipline_${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
      statementNames.set(text, name);
    }
    return name;
  };
  const runnerFor = (client: pg.PoolClient, settling: ((committed: boolean) => void)[], notifying: Set<string>): SqlRunner => ({
    // Sent with the COMMIT (commitNotifying): PostgreSQL delivers a NOTIFY at commit and drops it
    // on rollback wherever in the transaction it was sent, so sending it earlier costs a round trip.
    async notify(channel: string) {
      notifying.add(notifyChannel(channel));
    },
    onSettled(settled) {
      settling.push(settled);
    },
    async query<R>(sql: string, params: readonly unknown[] = []) {
      let text = converted.get(sql);
      if (text === undefined) {
        text = toPgPlaceholders(sql);
        converted.set(sql, text);
      }
      // A long statement (the ingest's, with a reaction listening) is prepared once per
      // connection, as `statement` prepares it: parsing and planning it took 2.3–3 ms, more than
      // running it (docs/decisions/0057). Short ones are planned with each run's values.
      if (text.length >= PREPARED_FROM_CHARS) {
        await replanNowAndThen(client);
        return (await client.query<R & pg.QueryResultRow>({ name: nameOf(text), text, values: [...params] })).rows;
      }
      return (await client.query<R & pg.QueryResultRow>(text, [...params])).rows;
    },
  });
  const parsed = new URL(url);
  return {
    kysely,
    outage,
    describe: `postgres://${parsed.host}${parsed.pathname}`,
    transaction: async (work, options) => {
      const settling: ((committed: boolean) => void)[] = [];
      const notifying = new Set<string>();
      let committed = false;
      try {
        // On a pool connection of its own rather than through Kysely's transaction, so that its
        // runner can run prepared statements (Kysely sends every statement unnamed).
        const client = await connections.connect();
        // A connection whose ROLLBACK failed is in an unknown state: the pool drops it on release.
        let unusable: Error | undefined;
        try {
          // One simple query each (statements without parameters, one round trip for several).
          await client.query(options?.lazy ? 'BEGIN; SET LOCAL synchronous_commit = off' : 'BEGIN');
          try {
            const result = await work(runnerFor(client, settling, notifying));
            await client.query(commitNotifying(notifying));
            committed = true;
            return result;
          } catch (err) {
            await client.query('ROLLBACK').catch((failed: unknown) => {
              unusable = failed instanceof Error ? failed : new Error(String(failed));
            });
            throw err;
          }
        } finally {
          client.release(unusable);
        }
      } finally {
        for (const settled of settling) settled(committed);
      }
    },
    keepsDeployEnvironments: POSTGRES_MIGRATIONS.keepsDeployEnvironments,
    migrate: migrateWith(kysely, POSTGRES_MIGRATIONS),
    ping,
    statement: async <R>(sql: string, params: readonly unknown[] = []) => {
      // Prepared once per connection under a name derived from its text: a long statement sent
      // again and again (the ingest's) is then bound and run, not parsed and planned each time.
      const name = nameOf(sql);
      const client = await connections.connect();
      try {
        await replanNowAndThen(client);
        return (await client.query<R & pg.QueryResultRow>({ name, text: sql, values: [...params] })).rows;
      } finally {
        // As Kysely does: a connection the server closed is dropped by the pool on its error event.
        client.release();
      }
    },
    listen: (channel, handler) => listener.on(notifyChannel(channel), handler),
    signal: async (channel) => {
      await kysely.executeQuery(CompiledQuery.raw("SELECT pg_notify($1, '')", [notifyChannel(channel)]));
    },
    skipLocked: ' FOR UPDATE SKIP LOCKED',
    // EXCLUSIVE conflicts with every writer (ROW EXCLUSIVE) and with itself, not with plain reads.
    exclusiveWrites: (table) => `LOCK TABLE ${table} IN EXCLUSIVE MODE`,
    shared: true,
    close: async () => {
      outage.close();
      await listener.close();
      await kysely.destroy();
    },
  };
}

/** In-process wake-ups: on SQLite one process owns the database, so no one else must hear them. */
class LocalChannels {
  private readonly handlers = new Map<string, Set<() => void>>();

  on(channel: string, handler: () => void): () => Promise<void> {
    const set = this.handlers.get(channel) ?? new Set();
    set.add(handler);
    this.handlers.set(channel, set);
    return async () => {
      set.delete(handler);
    };
  }

  emit(channel: string): void {
    for (const handler of this.handlers.get(channel) ?? []) handler();
  }
}

/** Waits before the listener's next reconnect, doubling up to the maximum. */
const LISTEN_RETRY_FIRST_MS = 1_000;
const LISTEN_RETRY_MAX_MS = 30_000;

/**
 * One dedicated connection LISTENing for every channel this process cares about. When it is lost
 * it reconnects, retrying with backoff for as long as the server stays away; the engine's slow
 * safety poll covers notifications missed meanwhile.
 */
class PgListener {
  private client: pg.Client | undefined;
  private connecting: Promise<pg.Client> | undefined;
  private readonly local = new LocalChannels();
  private readonly channels = new Set<string>();
  private closed = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly url: string,
    private readonly outage: OutageMonitor,
  ) {}

  async on(channel: string, handler: () => void): Promise<() => Promise<void>> {
    const off = this.local.on(channel, handler);
    if (!this.channels.has(channel)) {
      this.channels.add(channel);
      try {
        const client = await this.connect();
        await client.query(`LISTEN ${channel}`);
      } catch (err) {
        // The caller hears of it (a 503 for a stream); the channel is listened to once the
        // server is back, for whoever subscribes next.
        await off();
        if (!this.client) this.resubscribeAfter(LISTEN_RETRY_FIRST_MS);
        throw err;
      }
    }
    return off;
  }

  private connect(): Promise<pg.Client> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= (async () => {
      const client = new (postgresDriver().Client)({ connectionString: this.url, connectionTimeoutMillis: 10_000 });
      client.on('notification', (msg) => this.local.emit(msg.channel));
      client.on('error', () => {
        if (this.client !== client) return;
        this.client = undefined;
        this.connecting = undefined;
        client.end().catch(() => undefined);
        this.resubscribeAfter(LISTEN_RETRY_FIRST_MS);
      });
      try {
        await client.connect();
      } catch (err) {
        this.connecting = undefined;
        client.end().catch(() => undefined);
        throw markUnavailable(err);
      }
      this.client = client;
      return client;
    })();
    return this.connecting;
  }

  private resubscribeAfter(delayMs: number): void {
    if (this.closed) return;
    clearTimeout(this.retry);
    this.retry = setTimeout(() => void this.resubscribe(delayMs), delayMs);
    this.retry.unref();
  }

  private async resubscribe(lastDelayMs: number): Promise<void> {
    try {
      const client = await this.connect();
      for (const channel of this.channels) await client.query(`LISTEN ${channel}`);
    } catch (err) {
      this.outage.report(err);
      // A connection lost again while subscribing schedules its own retry from its error event.
      if (!this.client) this.resubscribeAfter(Math.min(lastDelayMs * 2, LISTEN_RETRY_MAX_MS));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    const client = this.client ?? (this.connecting ? await this.connecting.catch(() => undefined) : undefined);
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}

/**
 * Opens a store that must already exist, for commands that work on an installation's data
 * (`shipline admin reset-token`): a data directory without a SQLite store is refused rather than
 * given a new, empty one that the running server never reads.
 */
export function openExistingDb(options: DbOptions): Db {
  if (!options.databaseUrl) {
    // The file openSqlite opens.
    const file = path.join(options.dataDir, 'shipline.db');
    if (!fs.existsSync(file)) throw new Error(`No Shipline store at ${file}: set SHIPLINE_DATA_DIR (or DATABASE_URL) as the server has it`);
  }
  return openDb(options);
}
