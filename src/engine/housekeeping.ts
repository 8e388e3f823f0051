import type { Logger } from 'pino';
import type { Store } from '../store/index.js';

export interface HousekeepingOptions {
  /** How often it runs (default hourly); the first run is shortly after start. */
  everyMs?: number;
  /** How long processed inbox deliveries are kept (default 7 days). */
  inboxKeepMs?: number;
  logger?: Logger;
}

const HOUR = 60 * 60_000;
const DAY = 24 * HOUR;
/** After start, so the first run does not compete with a restart's catching up. */
const FIRST_RUN_AFTER_MS = 60_000;

/**
 * Removes what no one will read again, so the store does not grow without end:
 * - inbox deliveries processed more than a week ago (their events stay; a sender's late
 *   redelivery of the same event is still recognised by the event's own key);
 * - reaction key/value entries past their expiry (they already read as absent).
 * Events, deploys and runs are history and are never removed here.
 */
export class Housekeeping {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private readonly everyMs: number;
  private readonly inboxKeepMs: number;

  constructor(
    private readonly store: Store,
    private readonly options: HousekeepingOptions = {},
  ) {
    this.everyMs = options.everyMs ?? HOUR;
    this.inboxKeepMs = options.inboxKeepMs ?? 7 * DAY;
  }

  start(): void {
    const first = setTimeout(
      () => {
        this.runSoon();
        this.timer = setInterval(() => this.runSoon(), this.everyMs);
        this.timer.unref();
      },
      Math.min(FIRST_RUN_AFTER_MS, this.everyMs),
    );
    first.unref();
    this.timer = first;
  }

  async stop(): Promise<void> {
    // One call clears either kind: the first run's timeout or the interval after it.
    clearTimeout(this.timer);
    await this.running;
  }

  /** One pass, now; returns what it removed. */
  async runOnce(now = new Date()): Promise<{ inbox: number; kv: number }> {
    const inbox = await this.store.inbox.prune(new Date(now.getTime() - this.inboxKeepMs).toISOString());
    const kv = await this.store.kv.pruneExpired(now.toISOString());
    if (inbox + kv > 0) this.options.logger?.info({ inbox, kv }, 'housekeeping removed processed deliveries and expired values');
    return { inbox, kv };
  }

  private runSoon(): void {
    this.running = this.running
      .then(() => this.runOnce())
      .catch((err: unknown) => {
        if (this.store.db.outage.report(err)) return;
        this.options.logger?.warn({ err }, 'housekeeping failed; it runs again at the next interval');
      });
  }
}
