import type { DeployInput } from '../core/deploy-payload.js';
import type { Db, SqlRunner } from './database.js';
import type { EventsRepo } from './events.js';
import type { IngestItem, IngestOutcome } from './deploy-batch.js';
import { DuplicateDedupId, recordBatch } from './deploy-batch.js';
import { PgIngest } from './deploy-ingest-pg.js';
import { commitThroughOutage } from './outage.js';
import { ClientGathering } from './client-gathering.js';

const MAX_BATCH = 256;
/**
 * Batches in flight at once where each statement is a round trip (PostgreSQL), for deploys of
 * different aliases: while one waits for the network and its commit, the next is sent, and the
 * server syncs their commits together. With one writer (SQLite) one at a time.
 */
const PG_PARALLEL = 4;
/**
 * SQLite: once a batch of at least this many deploys is answered, the next batch gathers the
 * clients just answered (client-gathering.ts). A smaller batch means the load is light, and the
 * next request is flushed at once.
 */
const GATHER_AFTER = 8;
/** The longest the gathering waits for a first client to come back, on an idle event loop. */
const GATHER_WINDOW_MS = 1;
/** The most event-loop turns a gathering lasts once clients come back. */
const GATHER_TURNS = 8;

interface Waiter {
  item: IngestItem;
  resolve(outcome: IngestOutcome): void;
  reject(err: Error): void;
}

const asError = (err: unknown) => (err instanceof Error ? err : new Error(String(err)));

/**
 * Records deploys from the webhook. Every call resolves only after its transaction committed.
 * Group commit: the ingests that arrive while a batch commits form the next batch, which shares
 * one transaction (one fsync, one lock on each service's sequence). On SQLite one batch is in
 * flight at a time; on PostgreSQL a few, each one statement (deploy-ingest-pg.ts).
 */
export class DeployIngest {
  private queue: Waiter[] = [];
  private scheduled = false;
  private inFlight = 0;
  /** PostgreSQL: the aliases of the batches in flight (see takeBatch). */
  private readonly busyAliases = new Set<string>();
  private readonly parallel: number;
  private readonly pg: PgIngest | undefined;
  private readonly db: Db;
  private readonly now: () => Date;
  private readonly events: EventsRepo | undefined;
  private readonly commit: <T>(work: (run: SqlRunner) => Promise<T>) => Promise<T>;
  /** Whether a batch the store failed is tried once more here (the group commit does it itself). */
  private readonly retryOutage: boolean;
  /** SQLite: holds the batch after a busy one while its clients come back; none on PostgreSQL. */
  private readonly gathering: ClientGathering | undefined;

  /**
   * `commit` runs a batch's transaction; default `db.transaction`. The store passes its shared
   * group commit on SQLite, so a batch of deploys and the engine's step outcomes share a commit.
   * `gather` (SQLite): `hold` keeps the shared group commit from committing while the ingest
   * gathers, so the engine's work waiting meanwhile joins the ingest's commit; window and turns
   * for tests.
   */
  constructor(
    db: Db,
    events?: EventsRepo,
    commit?: <T>(work: (run: SqlRunner) => Promise<T>) => Promise<T>,
    now: () => Date = () => new Date(),
    gather: { windowMs?: number; turns?: number; hold?: (interrupted: () => void) => (() => void) | undefined } = {},
  ) {
    this.db = db;
    this.events = events;
    this.commit = commit ?? ((work) => db.transaction(work));
    this.retryOutage = commit === undefined;
    this.now = now;
    this.pg = db.statement ? new PgIngest(db, events) : undefined;
    this.parallel = this.pg ? PG_PARALLEL : 1;
    this.gathering = this.pg
      ? undefined
      : new ClientGathering(
          () => this.queue.length,
          () => this.schedule(),
          gather.windowMs ?? GATHER_WINDOW_MS,
          gather.turns ?? GATHER_TURNS,
          gather.hold,
        );
  }

  /** Records one deploy in the caller's transaction (an integration storing its events with it, under its internal endpoint). */
  async recordIn(run: SqlRunner, endpointId: string, input: DeployInput, receivedAt: string, eventSource?: string): Promise<IngestOutcome> {
    const item: IngestItem = { endpointId, input, internal: true, ...(eventSource === undefined ? {} : { eventSource }) };
    if (this.pg) return this.pg.recordIn(run, item, receivedAt);
    const [outcome] = await recordBatch(run, [item], receivedAt, this.events?.hook);
    return outcome!;
  }

  /** `internal`: Shipline itself records (a reaction), so an internal endpoint is accepted; the deploy URL never passes it. */
  record(endpointId: string, input: DeployInput, options: { internal?: boolean } = {}): Promise<IngestOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item: { endpointId, input, ...(options.internal ? { internal: true } : {}) }, resolve, reject });
      this.gathering?.arrived();
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.gathering?.active || this.inFlight >= this.parallel || this.queue.length === 0) return;
    this.scheduled = true;
    // setImmediate runs after the current poll phase, so every request already read joins the batch.
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  /** Commits a batch: one statement on PostgreSQL, else a transaction (the shared group commit on SQLite). */
  private commitItems(items: readonly IngestItem[], receivedAt: string): Promise<IngestOutcome[]> {
    if (this.pg) return this.pg.commit(items, receivedAt);
    return this.commit((run) => recordBatch(run, items, receivedAt, this.events?.hook));
  }

  /**
   * The next batch: the queue's first MAX_BATCH deploys, except on PostgreSQL, where deploys whose
   * alias a batch in flight holds wait for the next one. A batch locks the sequence row of each
   * scope it numbers until it commits, its WAL flush included, so a second batch for the same
   * alias could only wait on that lock inside PostgreSQL, holding a connection and costing the
   * server CPU (four such batches cost 70% more CPU per deploy than one at a time, and committed
   * no more deploys per second; decision 0038). Batches of other aliases still overlap. Deploys of
   * one alias keep their order; two aliases of one service still meet at the row lock.
   */
  private takeBatch(): Waiter[] {
    if (!this.pg) return this.queue.splice(0, MAX_BATCH);
    const batch: Waiter[] = [];
    const waiting: Waiter[] = [];
    for (const waiter of this.queue) {
      if (batch.length < MAX_BATCH && !this.busyAliases.has(waiter.item.input.service)) batch.push(waiter);
      else waiting.push(waiter);
    }
    this.queue = waiting;
    for (const waiter of batch) this.busyAliases.add(waiter.item.input.service);
    return batch;
  }

  private async flush(): Promise<void> {
    const batch = this.takeBatch();
    if (batch.length === 0) return;
    this.inFlight++;
    const items = batch.map((w) => w.item);
    const receivedAt = this.now().toISOString();
    // The deploys already waiting when this batch is answered; its own clients may send again after.
    let waitingWhenAnswered: number | undefined;
    let released = false;
    const commitBatch = async () => {
      const outcomes = await this.commitItems(items, receivedAt);
      waitingWhenAnswered = this.queue.length;
      if (this.pg && this.queue.length > 0) {
        // The deploys that waited for this batch's aliases go out before this batch is answered:
        // writing its answers takes the event loop for a while, and the sequence rows would sit
        // unused meanwhile. The flush runs on to the socket in this turn's microtasks, the
        // answers in the next check phase (decision 0055).
        this.release(batch);
        released = true;
        void this.flush();
        await new Promise((resolve) => setImmediate(resolve));
      }
      batch.forEach((waiter, i) => waiter.resolve(outcomes[i]!));
    };
    try {
      // The group commit, when given, already tries a batch the store failed once more.
      await commitThroughOutage(
        commitBatch,
        (err) => {
          for (const waiter of batch) waiter.reject(err);
        },
        this.retryOutage,
      );
    } catch {
      // Something in the batch failed: redo each item in a transaction of its own, so the
      // failure (or a dedup race lost to another instance) stays with its own request.
      await Promise.all(batch.map((waiter) => this.recordAlone(waiter, receivedAt)));
    } finally {
      if (!released) this.release(batch);
      if (this.gathering && batch.length >= GATHER_AFTER && waitingWhenAnswered !== undefined) {
        this.gathering.begin(waitingWhenAnswered, Math.min(MAX_BATCH - waitingWhenAnswered, batch.length));
      }
      this.schedule();
    }
  }

  /** Ends a batch's hold on the flight and on its aliases. */
  private release(batch: readonly Waiter[]): void {
    if (this.pg) for (const waiter of batch) this.busyAliases.delete(waiter.item.input.service);
    this.inFlight--;
  }

  private async recordAlone(waiter: Waiter, receivedAt: string): Promise<void> {
    try {
      const [outcome] = this.pg
        ? await this.pg.commit([waiter.item], receivedAt)
        : await this.db.transaction((run) => recordBatch(run, [waiter.item], receivedAt, this.events?.hook));
      waiter.resolve(outcome!);
    } catch (err) {
      if (err instanceof DuplicateDedupId) waiter.resolve({ result: 'duplicate_deploy' });
      else waiter.reject(asError(err));
    }
  }
}
