import { uuidv7 } from '../core/ids.js';
import type { Db, SqlRunner } from './database.js';
import type { IngestItem, IngestOutcome } from './deploy-batch.js';
import type { PgBatchResult, Statement } from './deploy-batch-pg.js';
import { asDuplicate, listensToIngest, LOCK_SUGGESTIONS, recordBatchPg, WATCH } from './deploy-batch-pg.js';
import { deploysByIdPg } from './deploys.js';
import { EVENTS_CHANNEL } from './engine/dispatch.js';
import type { EventsRepo } from './events.js';

/** Times a batch is sent again for items whose scope another transaction was creating. */
const MAX_ROUNDS = 5;
/** At most one wake-up of the live event streams per this long, for any number of batches. */
const SIGNAL_EVERY_MS = 10;
/** Times the statement is sent with a fresh generation before the batch takes the transaction. */
const MAX_STALE = 2;

/**
 * Commits ingest batches on PostgreSQL. While no enabled reaction listens for the events an
 * ingest stores, a batch is one statement and one round trip: no transaction, no dispatch, no
 * NOTIFY inside it (a notifying commit holds PostgreSQL's notify lock through its WAL flush, so
 * notifying batches would commit one after another). Whether anything listens is cached with
 * the reactions' generation it was read at; every statement checks that generation itself, so
 * a reaction applied by any process is seen by the next batch. When a reaction listens, the
 * statement runs in a transaction with the events hook, which queues the runs in it.
 */
export class PgIngest {
  /** The reactions' generation last read, and whether an enabled reaction then listened; undefined: read it. */
  private seen: { generation: number; listening: boolean } | undefined;
  private watching: Promise<{ generation: number; listening: boolean }> | undefined;
  private signalling = false;
  private signalAgain = false;
  /** The deploy id each item is sent with, and whether a statement carrying it failed (it may have committed). */
  private readonly sent = new WeakMap<IngestItem, { id: string; unsure: boolean }>();

  constructor(
    private readonly db: Db,
    private readonly events: EventsRepo | undefined,
  ) {}

  /**
   * Records a batch; resolves once it is committed. Throws DuplicateDedupId when a concurrent batch
   * won a dedup_id. An item sent again after a failure (the same object: the ingest retries a batch
   * whose connection dropped, then each item alone) keeps its deploy id: what a statement committed
   * before its reply was lost is found by those ids and answered as recorded, not inserted again.
   */
  async commit(items: readonly IngestItem[], receivedAt: string): Promise<IngestOutcome[]> {
    const outcomes: IngestOutcome[] = new Array(items.length);
    let pending = items.map((_, i) => i);
    const unsure = pending.filter((i) => this.sent.get(items[i]!)?.unsure);
    if (unsure.length > 0) {
      const stored = await deploysByIdPg(
        this.db.statement! as Statement,
        unsure.map((i) => this.sent.get(items[i]!)!.id),
      );
      for (const i of unsure) {
        const deploy = stored.get(this.sent.get(items[i]!)!.id);
        if (deploy) outcomes[i] = { result: deploy.service ? 'ok' : 'no_service_found', deploy };
        else this.sent.get(items[i]!)!.unsure = false;
      }
      // Committed by a statement whose reply was lost: nothing woke the streams for its events.
      if (unsure.some((i) => outcomes[i])) this.wakeStream();
      pending = pending.filter((i) => !outcomes[i]);
    }
    // Aliases some item would make a suggestion of: a batch carrying one is sent again under its lock.
    const locking = new Set<string>();
    for (let round = 0; pending.length > 0; round++) {
      if (round === MAX_ROUNDS) throw new Error('deploy sequence rows kept changing under the ingest');
      const batch = pending.map((i) => items[i]!);
      const locks = [...new Set(batch.map((item) => item.input.service).filter((alias) => locking.has(alias)))].sort();
      const ids = batch.map((item) => {
        let sent = this.sent.get(item);
        if (!sent) this.sent.set(item, (sent = { id: uuidv7(), unsure: false }));
        return sent.id;
      });
      let result: PgBatchResult;
      try {
        result = await this.once(batch, receivedAt, ids, locks);
      } catch (err) {
        // The statement may have committed all the same (a connection lost before its reply).
        for (const item of batch) this.sent.get(item)!.unsure = true;
        throw err;
      }
      result.outcomes.forEach((outcome, j) => {
        if (outcome) outcomes[pending[j]!] = outcome;
      });
      for (const alias of result.locks) locking.add(alias);
      pending = [...result.retry, ...result.lock].sort((x, y) => x - y).map((j) => pending[j]!);
    }
    return outcomes;
  }

  /** Records one deploy in the caller's transaction, with the runs its events start. */
  async recordIn(run: SqlRunner, item: IngestItem, receivedAt: string): Promise<IngestOutcome> {
    let locks: string[] = [];
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const result = await recordBatchPg(inTransaction(run), [item], receivedAt, null, undefined, locks).catch((err: unknown) =>
        Promise.reject(asDuplicate(err)),
      );
      if (result.lock.length > 0) {
        // Held until the caller's transaction ends; the next statement's snapshot starts after it is taken.
        locks = result.locks;
        await run.query(LOCK_SUGGESTIONS, [locks]);
        continue;
      }
      if (result.retry.length > 0) continue;
      const hook = this.events?.hook;
      if (hook && result.events.length > 0) await hook(run, result.events, result.generation);
      return result.outcomes[0]!;
    }
    throw new Error('deploy sequence rows kept changing under the ingest');
  }

  /** One statement for the batch; in a transaction holding the suggestion locks of `locks` when there are any. */
  private async once(
    items: readonly IngestItem[],
    receivedAt: string,
    ids: readonly string[],
    locks: readonly string[],
  ): Promise<PgBatchResult> {
    const hook = this.events?.hook;
    const alone = this.db.statement! as Statement;
    try {
      if (locks.length > 0) {
        // Rare (an alias's first deploys): a transaction, so the locks are held until its commit.
        const seen = hook ? this.seen : undefined;
        const result = await this.db.transaction(async (run) => {
          await run.query(LOCK_SUGGESTIONS, [locks]);
          const statement = inTransaction(run);
          // While no reaction listens (as last read), the statement's guard stands in for the hook, as outside a transaction.
          if (seen && !seen.listening) {
            const quiet = await recordBatchPg(statement, items, receivedAt, seen.generation, ids, locks);
            if (!quiet.stale) return quiet;
            if (this.seen === seen) this.seen = undefined;
          }
          const result = await recordBatchPg(statement, items, receivedAt, null, ids, locks);
          if (hook && result.events.length > 0) await hook(run, result.events, result.generation);
          return result;
        });
        return this.woke(result);
      }
      if (!hook) return this.woke(await recordBatchPg(alone, items, receivedAt, null, ids));
      for (let tries = 0; tries < MAX_STALE; tries++) {
        const seen = this.seen ?? (await this.watch());
        if (seen.listening) break;
        const result = await recordBatchPg(alone, items, receivedAt, seen.generation, ids);
        if (!result.stale) return this.woke(result);
        if (this.seen === seen) this.seen = undefined;
      }
      return await this.db.transaction(async (run) => {
        const result = await recordBatchPg(inTransaction(run), items, receivedAt, null, ids);
        // A generation other than the one read: a reaction changed, so look again next time.
        if (result.generation !== this.seen?.generation) this.seen = undefined;
        // The statement read the generation in this transaction: the hook need not read it again.
        if (result.events.length > 0) await hook(run, result.events, result.generation);
        return result;
      });
    } catch (err) {
      throw asDuplicate(err);
    }
  }

  /** Reads the generation and the enabled reactions' triggers (one statement, shared by concurrent batches). */
  private watch(): Promise<{ generation: number; listening: boolean }> {
    this.watching ??= (async () => {
      try {
        const [row] = await this.db.statement!<{ generation: string; triggers: string[] }>(WATCH);
        this.seen = { generation: Number(row!.generation), listening: listensToIngest(row!.triggers) };
        return this.seen;
      } finally {
        this.watching = undefined;
      }
    })();
    return this.watching;
  }

  /** A committed batch outside a transaction: the streams are woken for its events (nothing NOTIFYs in it). */
  private woke(result: PgBatchResult): PgBatchResult {
    if (result.events.length > 0) this.wakeStream();
    return result;
  }

  /**
   * Wakes the live event streams of every process once batches committed, outside their
   * transactions: one NOTIFY for all the batches that committed within SIGNAL_EVERY_MS of the
   * previous one (a stream reads everything after its last position, so one wake-up serves many).
   */
  private wakeStream(): void {
    if (this.signalling) {
      this.signalAgain = true;
      return;
    }
    this.signalling = true;
    void (async () => {
      do {
        this.signalAgain = false;
        const sent = Date.now();
        try {
          await this.db.signal(EVENTS_CHANNEL);
        } catch (err) {
          // A stream misses nothing for good: it reads from its last position on the next wake-up.
          this.db.outage.report(err);
        }
        const wait = SIGNAL_EVERY_MS - (Date.now() - sent);
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait).unref());
      } while (this.signalAgain);
      this.signalling = false;
    })();
  }
}

const inTransaction =
  (run: SqlRunner): Statement =>
  <R>(sql: string, params: readonly unknown[]) =>
    run.query<R>(sql, params);
