import type { Db, SqlRunner } from './database.js';
import { commitThroughOutage } from './outage.js';

/**
 * How long after other work was submitted no hold is given: a stream of reactions submits step
 * outcomes every few milliseconds, and interrupting each gathering still slowed the engine.
 */
const HOLD_AFTER_OTHERS_MS = 1000;

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
  /** The holds in place (see `hold`), each with what ends it: while any is, nothing is flushed. */
  private readonly holds = new Set<() => void>();
  /** When work other than the holder's was last submitted (performance.now()). */
  private othersWroteAt = -Infinity;
  private readonly parallel: number;

  constructor(
    private readonly db: Db,
    private readonly maxBatch = 256,
    private readonly holdAfterOthersMs = HOLD_AFTER_OTHERS_MS,
  ) {
    this.parallel = db.shared ? 8 : 1;
  }

  /** `holder`: the work of the one that holds this commit at times (see `hold`). */
  submit<T>(work: (run: SqlRunner) => Promise<T>, options?: { holder?: boolean }): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!options?.holder) {
        this.othersWroteAt = performance.now();
        for (const interrupted of [...this.holds]) interrupted();
      }
      this.schedule();
    });
  }

  /**
   * Keeps the next transaction from starting until the returned function is called, so the
   * SQLite deploy ingest can gather the clients it just answered (client-gathering.ts) with the
   * only connection free for the larger batch. Only while the holder is the only one writing:
   * undefined if work is queued or other work was submitted in the last `holdAfterOthersMs`,
   * and `interrupted` is called as soon as other work is submitted. The engine records
   * a step's outcome before its worker takes the next job, so a held commit would slow it, and a
   * steady stream of reactions (decision 0036's "Withdrawn") is never held. Release after
   * submitting, so the holder's batch and what came meanwhile meet in one commit.
   */
  hold(interrupted: () => void): (() => void) | undefined {
    if (this.queue.length > 0 || performance.now() - this.othersWroteAt < this.holdAfterOthersMs) return undefined;
    this.holds.add(interrupted);
    return () => {
      if (!this.holds.delete(interrupted)) return;
      this.schedule();
    };
  }

  private schedule(): void {
    if (this.scheduled || this.holds.size > 0 || this.inFlight >= this.parallel || this.queue.length === 0) return;
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
