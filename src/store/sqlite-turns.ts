import type { DatabaseConnection, Driver, QueryCompiler, TransactionSettings } from 'kysely';
import { SqliteDialect } from 'kysely';
import type { SqliteDialectConfig } from 'kysely';

/**
 * The one SQLite connection, taken in turn (first come, first served) by the store's own
 * transactions and by the query builder. A turn may wait, once it has the connection, until
 * `settled` resolves: the WAL syncs begun so far have ended, so what it reads is on disk
 * (decision 0048). Only the deploy ingest's overlapping commits take it without that wait.
 */
export class ConnectionTurns {
  private busy = false;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly settled: () => Promise<void>) {}

  /** Resolves with the connection held; `settled` first waits for the syncs under way. */
  async take(options: { settled: boolean }): Promise<void> {
    if (this.busy) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.busy = true;
    if (!options.settled) return;
    try {
      await this.settled();
    } catch (err) {
      this.give();
      throw err;
    }
  }

  /** Hands the connection to the next in line. */
  give(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.busy = false;
  }
}

/**
 * Kysely's SQLite dialect whose statements take their turn at the connection: they wait for
 * the syncs under way, as the store's own transactions do. Kysely's driver keeps its own lock
 * behind this one, never contended.
 */
export class TurnTakingSqliteDialect extends SqliteDialect {
  constructor(
    config: SqliteDialectConfig,
    private readonly turns: ConnectionTurns,
  ) {
    super(config);
  }

  override createDriver(): Driver {
    const inner = super.createDriver();
    const turns = this.turns;
    return {
      init: () => inner.init(),
      async acquireConnection() {
        await turns.take({ settled: true });
        try {
          return await inner.acquireConnection();
        } catch (err) {
          turns.give();
          throw err;
        }
      },
      beginTransaction: (connection: DatabaseConnection, settings: TransactionSettings) => inner.beginTransaction(connection, settings),
      commitTransaction: (connection: DatabaseConnection) => inner.commitTransaction(connection),
      rollbackTransaction: (connection: DatabaseConnection) => inner.rollbackTransaction(connection),
      savepoint: (connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']) =>
        inner.savepoint!(connection, name, compile),
      rollbackToSavepoint: (connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']) =>
        inner.rollbackToSavepoint!(connection, name, compile),
      releaseSavepoint: (connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']) =>
        inner.releaseSavepoint!(connection, name, compile),
      async releaseConnection(connection: DatabaseConnection) {
        try {
          await inner.releaseConnection(connection);
        } finally {
          turns.give();
        }
      },
      destroy: () => inner.destroy(),
    };
  }
}
