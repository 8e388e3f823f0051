import type { Db, SqlRunner } from './database.js';
import { commitThroughOutage } from './outage.js';

interface Pending {
  work: (run: SqlRunner) => Promise<unknown>;
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

/**
 * Runs many small pieces of work in one transaction: those submitted while a transaction commits
 * share the next one (one fsync on SQLite). Each promise settles only after its transaction
 * committed. If a shared transaction fails, each piece is redone alone, so one failure stays
 * with its own caller. Where processes share the database (PostgreSQL) a few transactions run at
 * once, since each statement is a round trip and the server overlaps them; with one writer
 * (SQLite) one at a time.
 */
export class GroupCommit {
  private queue: Pending[] = [];
  private scheduled = false;
  private inFlight = 0;
  private readonly parallel: number;

  constructor(
    private readonly db: Db,
    private readonly maxBatch = 256,
  ) {
    this.parallel = db.shared ? 8 : 1;
  }

  submit<T>(work: (run: SqlRunner) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.parallel || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    const batch = this.queue.splice(0, this.maxBatch);
    if (batch.length === 0) return;
    this.inFlight++;
    const commitBatch = async () => {
      const results = await this.db.transaction(async (run) => {
        const out: unknown[] = [];
        for (const p of batch) out.push(await p.work(run));
        return out;
      });
      batch.forEach((p, i) => p.resolve(results[i]));
    };
    try {
      await commitThroughOutage(commitBatch, (err) => {
        for (const p of batch) p.reject(err);
      });
    } catch {
      for (const p of batch) {
        try {
          p.resolve(await this.db.transaction((run) => p.work(run)));
        } catch (err) {
          p.reject(err);
        }
      }
    } finally {
      this.inFlight--;
      this.schedule();
    }
  }
}
