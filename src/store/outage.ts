/**
 * Store outages: errors that say the database cannot be reached or cannot write right now (a
 * restarted or failed-over PostgreSQL, an administrator terminating connections, a locked or full
 * SQLite file), as opposed to an error in what was asked. Callers answer them with 503 and carry
 * on; the monitor logs one line when an outage starts and one when the store answers again,
 * rather than a stack per failed request or background task.
 */

/** What a client is told to wait before trying again, in seconds (the Retry-After header). */
export const RETRY_AFTER_SECONDS = 5;

const UNAVAILABLE = Symbol.for('shipline.storeUnavailable');

// SQLSTATE classes: 08 connection exception, 53 insufficient resources (disk full, out of memory,
// too many connections), 57 operator intervention (57P01 terminated by an administrator, 57P02
// crash, 57P03 starting up), 58 system error (I/O). 57014 is a cancelled statement, not an outage.
const PG_CLASSES = new Set(['08', '53', '57', '58']);
const PG_NOT_OUTAGE = new Set(['57014']);
// What node-postgres says when a connection goes away under it, or cannot be had.
const PG_MESSAGES = [
  'Connection terminated',
  'is not queryable',
  'timeout exceeded when trying to connect',
  'Cannot use a pool after calling end on the pool',
];
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
// SQLite: the file is locked by another process past the busy timeout, the disk failed, filled
// up, or went read-only. Extended codes (SQLITE_IOERR_WRITE ...) start with these.
const SQLITE_PREFIXES = [
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_IOERR',
  'SQLITE_FULL',
  'SQLITE_CANTOPEN',
  'SQLITE_NOMEM',
  'SQLITE_READONLY',
  'SQLITE_PROTOCOL',
];

/** Marks an error as an outage whatever its code (e.g. any failure to open a connection). */
export function markUnavailable<E>(err: E): E {
  if (err !== null && typeof err === 'object') Object.defineProperty(err, UNAVAILABLE, { value: true });
  return err;
}

/**
 * True for an error meaning the store is unreachable or cannot write now, on either dialect. Only
 * the error itself is judged, never its `cause`: an outgoing HTTP request refused by its target
 * (ECONNREFUSED inside the error a step reports) says nothing about the store.
 */
export function isStoreUnavailable(err: unknown): boolean {
  if (err === null || typeof err !== 'object') return false;
  if ((err as Record<symbol, unknown>)[UNAVAILABLE] === true) return true;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (code.startsWith('SQLITE_')) return SQLITE_PREFIXES.some((p) => code.startsWith(p));
    if (NETWORK_CODES.has(code)) return true;
    if (/^[0-9A-Z]{5}$/.test(code)) return PG_CLASSES.has(code.slice(0, 2)) && !PG_NOT_OUTAGE.has(code);
  }
  const message = (err as { message?: unknown }).message;
  return typeof message === 'string' && PG_MESSAGES.some((m) => message.includes(m));
}

/**
 * Commits a batch of pieces as one. When the store failed (not a piece), tries once more as a
 * whole (a terminated connection is replaced by a fresh one) unless `retry` is false; if the
 * store is still away, every piece hears of it at once through `rejectAll`, rather than each
 * after one wait for the store (5 s on a locked SQLite). Any other error is thrown, for the
 * caller to redo the pieces one by one.
 */
export async function commitThroughOutage(commit: () => Promise<void>, rejectAll: (err: Error) => void, retry = true): Promise<void> {
  try {
    await commit();
  } catch (err) {
    if (!isStoreUnavailable(err)) throw err;
    try {
      if (!retry) throw err;
      await commit();
    } catch (again) {
      if (!isStoreUnavailable(again)) throw again;
      rejectAll(again instanceof Error ? again : new Error(String(again)));
    }
  }
}

export type OutageChange = { state: 'down'; reason: string } | { state: 'up'; downMs: number };

/** Probes a down store after this long, doubling up to the maximum. */
const FIRST_PROBE_MS = 500;
const MAX_PROBE_MS = 5_000;

/**
 * Knows whether the store is in an outage. `report` is given every error callers meet; the first
 * outage error starts an outage (one `down` line), and probes then ping the store until it answers
 * with no outage error reported since the previous probe (one `up` line): a store that answers a
 * ping but still fails writes (a full disk) stays down while the writes keep failing.
 */
export class OutageMonitor {
  private downSince: number | undefined;
  private failedSinceProbe = false;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly ping: () => Promise<void>,
    private readonly onChange: (change: OutageChange) => void = () => undefined,
  ) {}

  /** True while an outage is under way. */
  get down(): boolean {
    return this.downSince !== undefined;
  }

  /** Notes `err` if it is an outage error (starting an outage if none is under way); tells whether it was. */
  report(err: unknown): boolean {
    if (!isStoreUnavailable(err)) return false;
    this.failedSinceProbe = true;
    if (this.downSince === undefined && !this.closed) {
      this.downSince = Date.now();
      this.onChange({ state: 'down', reason: describe(err) });
      this.scheduleProbe(FIRST_PROBE_MS);
    }
    return true;
  }

  /** Stops probing (the store is closing). */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
  }

  private scheduleProbe(delayMs: number): void {
    this.failedSinceProbe = false;
    this.timer = setTimeout(() => void this.probe(delayMs), delayMs);
    this.timer.unref();
  }

  private async probe(lastDelayMs: number): Promise<void> {
    if (this.closed) return;
    let answered = false;
    try {
      await this.ping();
      answered = true;
    } catch {
      // still down
    }
    if (this.closed) return;
    if (answered && !this.failedSinceProbe) {
      const downMs = Date.now() - this.downSince!;
      this.downSince = undefined;
      this.onChange({ state: 'up', downMs });
      return;
    }
    this.scheduleProbe(Math.min(lastDelayMs * 2, MAX_PROBE_MS));
  }
}

function describe(err: unknown): string {
  const e = err as { message?: unknown; code?: unknown };
  const message = typeof e?.message === 'string' && e.message ? e.message : String(err);
  return typeof e?.code === 'string' ? `${message} (${e.code})` : message;
}
