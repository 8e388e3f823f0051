import type { CancelledWait, RunView } from '../store/engine/runs.js';
import { cancelWaitingStep } from './execute-step.js';
import { randomUUID } from 'node:crypto';
import type { LocalLane } from '../store/engine/dispatch.js';
import { JOBS_CHANNEL } from '../store/engine/dispatch.js';
import type { ClaimedJob } from '../store/engine/jobs.js';
import { claimJobs, nextDueAt, releaseAllLeases, renewLeases } from '../store/engine/jobs.js';
import type { StepDecision } from '../store/engine/step-outcomes.js';
import { applyDecision } from '../store/engine/step-outcomes.js';
import { applyDecisions } from '../store/engine/outcome-batch.js';
import type { EngineDeps } from './deps.js';
import { executeJob } from './execute-step.js';

export interface EngineOptions {
  /** Steps run at the same time by this process (SHIPLINE_WORKERS). */
  workers: number;
  /** The slow safety poll, for wake-ups that never came (default 2 s). */
  pollMs?: number;
  /**
   * How long a claim holds a job without being renewed (default 30 s). In-flight jobs are renewed
   * every third of it; a crashed process's jobs are claimable again once it runs out.
   */
  leaseMs?: number;
}

/**
 * The durable runtime of one process: claims due jobs with a lease, executes them outside any
 * transaction, and commits each outcome (grouped: many outcomes share one commit). Woken by the
 * store when work is queued (in-process on SQLite, LISTEN/NOTIFY on PostgreSQL), by a timer for
 * the next delayed job, and by a slow poll as the safety net.
 */
export class Engine implements LocalLane {
  /** Identifies this process's leases. */
  readonly owner = `engine-${randomUUID()}`;
  /** `leased`: a first step without a row, whose lease its run's row holds. */
  private readonly inFlight = new Map<string, { runId: string; leased: boolean; abort: AbortController; done: Promise<void> }>();
  private running = false;
  /** Workers promised to steps that transactions under way insert claimed for this process. */
  private reserved = 0;
  /**
   * Work may be waiting for a worker: a claim or a hand-over got fewer workers than it wanted.
   * Only then does a finishing step look for more; otherwise new work announces itself (a
   * notification, the timer of the next delayed job, the safety poll), and a claim per finished
   * step would mostly find nothing, each a transaction of round trips on PostgreSQL.
   */
  private saturated = false;
  private pumping = false;
  private again = false;
  private scheduled = false;
  private timer: NodeJS.Timeout | undefined;
  private safety: NodeJS.Timeout | undefined;
  private renewal: NodeJS.Timeout | undefined;
  private unlisten: (() => Promise<void>) | undefined;
  /** Outcomes waiting for the next commit: those ready in one turn share one set-based commit. */
  private outcomes: { decision: StepDecision; done: () => void }[] = [];
  private flushScheduled = false;
  /** Steps whose action is done and whose outcome waits to be (or is being) committed. */
  private committing = 0;
  /** When a claim last took over runs whose first step's lease ran out (ms since the epoch). */
  private tookOverAt = 0;

  constructor(
    private readonly deps: EngineDeps,
    private readonly options: EngineOptions,
  ) {}

  async start(): Promise<void> {
    this.running = true;
    // On SQLite this process owns the queue: leases left by its previous life are void. Before
    // steps are handed to it, which that would void too.
    if (!this.deps.store.db.shared) await releaseAllLeases(this.deps.store.db);
    this.deps.store.dispatcher.setLane(this);
    this.unlisten = await this.deps.store.db.listen(JOBS_CHANNEL, () => this.wake());
    this.safety = setInterval(() => this.wake(), this.pollMs);
    this.safety.unref();
    this.renewal = setInterval(() => void this.renewLeases(), this.leaseMs / 3);
    this.renewal.unref();
    this.wake();
  }

  /** True for a store outage (noted by the store's monitor, which logs it once). */
  private outage(err: unknown): boolean {
    return this.deps.store.db.outage.report(err);
  }

  reserve(wanted: number): number {
    if (!this.running) return 0;
    const count = Math.max(0, Math.min(wanted, this.spare));
    this.reserved += count;
    if (count < wanted) this.saturated = true;
    return count;
  }

  take(jobs: ClaimedJob[]): void {
    this.reserved -= jobs.length;
    // Stopped meanwhile: the leases run out and the steps are claimed again (SQLite: at the next start).
    if (this.running) for (const job of jobs) this.launch(job);
  }

  release(count: number): void {
    this.reserved -= count;
    this.wake();
  }

  /**
   * Workers neither busy nor promised. A step whose outcome waits for its commit no longer holds
   * a worker (its lease is still renewed, and it is still in flight for `stop`): otherwise, under
   * load, steps handed over or claimed would wait for commits of others rather than run. Outcomes
   * waiting for commits are bounded too, by the workers again, should the store stall.
   */
  private get spare(): number {
    const executing = this.inFlight.size - this.committing;
    return Math.min(this.options.workers - executing, 2 * this.options.workers - this.inFlight.size) - this.reserved;
  }

  private get pollMs(): number {
    return this.options.pollMs ?? 2000;
  }

  get leaseMs(): number {
    return this.options.leaseMs ?? 30_000;
  }

  private async renewLeases(): Promise<void> {
    if (this.inFlight.size === 0) return;
    try {
      const leasedRuns = [...this.inFlight.values()].flatMap((f) => (f.leased ? [f.runId] : []));
      await renewLeases(this.deps.store.db, this.owner, [...this.inFlight.keys()], this.leaseMs, leasedRuns);
    } catch (err) {
      if (!this.outage(err)) this.deps.logger?.warn({ err }, 'renewing job leases failed');
    }
  }

  /** Stops claiming, aborts nothing: in-flight steps finish (up to `graceMs`), then their leases lapse. */
  async stop(graceMs = 10_000): Promise<void> {
    this.running = false;
    this.deps.store.dispatcher.setLane(undefined);
    clearInterval(this.safety);
    clearInterval(this.renewal);
    clearTimeout(this.timer);
    await this.unlisten?.();
    const all = Promise.all([...this.inFlight.values()].map((f) => f.done));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    for (const f of this.inFlight.values()) f.abort.abort();
  }

  /** After a cancel: aborts the run's steps running here, and lets waiting steps' actions undo their work. */
  async cancelled(run: RunView, waits: CancelledWait[]): Promise<void> {
    this.abortRun(run.id);
    if (waits.length === 0) return;
    const event = await this.deps.store.events.get(run.eventId);
    for (const wait of waits) {
      await cancelWaitingStep(
        {
          id: `cancel:${run.id}:${wait.stepId}`,
          kind: 'resume',
          runId: run.id,
          stepId: wait.stepId,
          payload: null,
          run: { id: run.id, reaction: run.reaction, version: run.reactionVersion, eventId: run.eventId, status: 'cancelled' },
          step: { status: 'cancelled', attempt: wait.attempt, waitState: wait.waitState, logs: [], attempts: [], input: null },
          event,
          outputs: {},
        },
        this.deps,
      );
    }
  }

  /** Aborts the steps of a run this process is executing (after the run was cancelled). */
  abortRun(runId: string): void {
    for (const f of this.inFlight.values()) if (f.runId === runId) f.abort.abort();
  }

  wake(): void {
    if (!this.running || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.again = false;
        this.saturated = false;
        while (this.running) {
          const limit = this.spare;
          if (limit <= 0) {
            this.saturated = true;
            break;
          }
          // Leases run out over tens of seconds: looking for runs whose lease did at most once
          // per safety poll spares the claims in between a statement each.
          const now = new Date();
          const takeOver = now.getTime() - this.tookOverAt >= this.pollMs;
          if (takeOver) this.tookOverAt = now.getTime();
          const jobs = await claimJobs(this.deps.store.db, this.owner, limit, this.leaseMs, now, takeOver);
          for (const job of jobs) this.launch(job);
          // Fewer than asked: nothing else is due now, so no second claim to find that out.
          if (jobs.length < limit) {
            await this.armTimer();
            break;
          }
        }
      } while (this.again && this.running);
    } catch (err) {
      // In an outage the safety poll keeps trying; the store logs the outage once.
      if (!this.outage(err)) this.deps.logger?.error({ err }, 'claiming jobs failed');
    } finally {
      this.pumping = false;
    }
  }

  private launch(job: ClaimedJob): void {
    const abort = new AbortController();
    const done = this.runJob(job, abort).then(
      (later) => this.finished(job, later),
      () => this.finished(job, false),
    );
    this.inFlight.set(job.id, { runId: job.runId, leased: job.leasedBy !== undefined, abort, done });
  }

  /**
   * A step's outcome is recorded: look for more work if some may wait for a worker, or if the
   * outcome put work off until later (a poll, a retry), to set the timer for it.
   */
  private finished(job: ClaimedJob, later: boolean): void {
    this.inFlight.delete(job.id);
    if (this.saturated || later) this.wake();
  }

  /** Executes and records a job; true when its outcome was other than an end (a wait, a retry, a poll later). */
  private async runJob(job: ClaimedJob, abort: AbortController): Promise<boolean> {
    let decision: StepDecision;
    try {
      decision = await executeJob(job, this.deps, abort);
    } catch (err) {
      // Only the store failing gets here; the lease runs out and the job is tried again.
      if (!this.outage(err)) this.deps.logger?.error({ err, runId: job.runId, stepId: job.stepId }, 'executing a step failed');
      return false;
    }
    this.committing++;
    try {
      await new Promise<void>((done) => {
        this.outcomes.push({ decision, done });
        this.scheduleRecord();
        // Its worker is free: work that waited for one may start while the outcome commits.
        if (this.saturated) this.wake();
      });
    } finally {
      this.committing--;
    }
    return decision.kind !== 'end' && decision.kind !== 'discard';
  }

  /** Commits, on the next turn, every outcome ready by then. */
  private scheduleRecord(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      void this.record(this.outcomes.splice(0));
    });
  }

  /**
   * Commits outcomes together (set-based), while earlier commits may still be under way. If the
   * shared commit fails, each outcome is committed alone, so one bad outcome stays its own.
   * An outcome that cannot be committed is left to its lease: the job runs again.
   */
  private async record(batch: { decision: StepDecision; done: () => void }[]): Promise<void> {
    const now = (this.deps.now?.() ?? new Date()).toISOString();
    const deps = { events: this.deps.store.events, reactions: this.deps.store.reactions };
    const decisions = batch.map((b) => b.decision);
    try {
      await this.deps.store.commits.submit((run) => applyDecisions(run, decisions, deps, now));
    } catch {
      for (const { decision } of batch) {
        try {
          await this.deps.store.commits.submit((run) => applyDecision(run, decision, deps, now));
        } catch (err) {
          if (!this.outage(err)) this.deps.logger?.error({ err, jobId: decision.jobId }, 'recording a step outcome failed');
        }
      }
    }
    for (const { done } of batch) done();
  }

  /** Sleeps until the next delayed job is due, if that comes before the safety poll. */
  private async armTimer(): Promise<void> {
    const due = await nextDueAt(this.deps.store.db);
    clearTimeout(this.timer);
    if (!due || !this.running) return;
    const delay = Math.max(0, Date.parse(due) - Date.now()) + 5;
    if (delay > (this.options.pollMs ?? 2000)) return;
    this.timer = setTimeout(() => this.wake(), delay);
    this.timer.unref();
  }
}
