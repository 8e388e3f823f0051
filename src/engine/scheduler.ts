import type { Logger } from 'pino';
import type { Schedule } from '../core/schedule.js';
import { DEFAULT_LATE_AFTER_MS, dueTicks, nextTicks } from '../core/schedule.js';
import type { Store } from '../store/index.js';
import type { ScheduledReaction } from '../store/schedules.js';

export interface SchedulerOptions {
  /** The clock ticks are judged by; default the system's. */
  now?: () => Date;
  /** The safety poll: the longest sleep, and how soon a changed reaction is seen (default 5 s). */
  pollMs?: number;
  /** A tick this much older than now is missed (`catchUp: none` skips it); default 1 min. */
  lateAfterMs?: number;
  logger?: Logger;
}

/** A tick stored by this instance. */
export interface FiredTick {
  reaction: string;
  scheduledAt: string;
}

interface Known {
  version: number;
  schedule: Schedule;
  /** No tick of this version is due before this instant (ms). */
  nextDue: number;
}

/**
 * Fires scheduled reactions. Every Shipline process runs one: each tick is stored as a
 * `schedule.fired` event whose source key is the reaction and the tick's time, so of several
 * instances (or a restart) exactly one stores it, and that transaction starts the run. Between
 * passes it sleeps until the next tick any enabled schedule has, at most `pollMs`.
 */
export class Scheduler {
  private readonly now: () => Date;
  private readonly pollMs: number;
  private readonly lateAfterMs: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = true;
  private generation = -1;
  private reactions: ScheduledReaction[] = [];
  private readonly known = new Map<string, Known>();

  constructor(
    private readonly store: Store,
    private readonly options: SchedulerOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.pollMs = options.pollMs ?? 5000;
    this.lateAfterMs = options.lateAfterMs ?? DEFAULT_LATE_AFTER_MS;
  }

  start(): void {
    this.stopped = false;
    this.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One pass, now: fires every tick due by the clock. Passes never overlap. */
  tick(): Promise<FiredTick[]> {
    const pass = this.running.then(() => this.pass());
    this.running = pass.catch(() => undefined);
    return pass;
  }

  private wake(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    void this.tick()
      .catch((err: unknown) => {
        // In an outage the next poll tries again; the store logs the outage once.
        if (!this.store.db.outage.report(err)) this.options.logger?.error({ err }, 'firing scheduled reactions failed');
      })
      .finally(() => this.arm());
  }

  /** The earliest next tick of the schedules seen by the last pass, or null (none). */
  nextWake(): Date | null {
    let next = Infinity;
    for (const known of this.known.values()) next = Math.min(next, known.nextDue);
    return Number.isFinite(next) ? new Date(next) : null;
  }

  /** Sleeps until the next due tick, or the safety poll, whichever comes first. */
  private arm(): void {
    if (this.stopped) return;
    const next = this.nextWake();
    const delay = next === null ? this.pollMs : Math.min(this.pollMs, Math.max(0, next.getTime() - this.now().getTime()));
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.wake(), delay + 5);
    this.timer.unref();
  }

  private async pass(): Promise<FiredTick[]> {
    const generation = await this.store.reactions.generation();
    if (generation !== this.generation) {
      this.reactions = await this.store.schedules.enabled();
      this.generation = generation;
      const names = new Set(this.reactions.map((r) => r.name));
      for (const name of this.known.keys()) if (!names.has(name)) this.known.delete(name);
    }
    const fired: FiredTick[] = [];
    for (const reaction of this.reactions) {
      const now = this.now();
      const known = this.known.get(reaction.name);
      if (known && known.version === reaction.version && known.nextDue > now.getTime()) continue;
      try {
        fired.push(...(await this.fire(reaction, now)));
      } catch (err) {
        if (this.store.db.outage.report(err)) throw err;
        this.options.logger?.error({ err, reaction: reaction.name }, 'firing a scheduled reaction failed');
      }
    }
    return fired;
  }

  /** Fires what is due of one reaction, by its catch-up; afterwards every tick up to `now` is settled. */
  private async fire(reaction: ScheduledReaction, now: Date): Promise<FiredTick[]> {
    // A version counts its ticks from when it was applied; a clock behind that (a test's) from now.
    const since = new Date(Math.min(now.getTime(), Date.parse(reaction.appliedAt))).toISOString();
    const state = await this.store.schedules.state(reaction.name, reaction.version, since);
    const after = state.lastTick !== null && state.lastTick > state.since ? state.lastTick : state.since;
    const due = dueTicks(reaction.schedule, new Date(after), now, this.lateAfterMs);
    const firedAt = now.toISOString();
    const stored = await this.store.schedules.fire(
      reaction.name,
      due.map((at) => ({ scheduledAt: at.toISOString(), firedAt })),
    );
    const [next] = nextTicks(reaction.schedule, now, 1);
    this.known.set(reaction.name, { version: reaction.version, schedule: reaction.schedule, nextDue: next?.getTime() ?? Infinity });
    if (stored.length > 0) this.options.logger?.info({ reaction: reaction.name, ticks: stored }, 'scheduled reaction fired');
    return stored.map((scheduledAt) => ({ reaction: reaction.name, scheduledAt }));
  }
}
