/** How a step is retried after a failed attempt. */
export interface RetryPolicy {
  /** Total attempts, the first included (1 means no retry). */
  attempts: number;
  backoff: 'exponential' | 'fixed';
  initialMs: number;
  maxMs: number;
}

/** The policy of a step that names none: 3 attempts, 1 s doubling up to 5 min. */
export const DEFAULT_RETRY: RetryPolicy = Object.freeze({ attempts: 3, backoff: 'exponential', initialMs: 1000, maxMs: 300_000 });

const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 } as const;
type Unit = keyof typeof UNIT_MS;
// Units must come largest first (`1h30m`, not `30m1h`), so each appears at most once.
const UNIT_ORDER: readonly Unit[] = ['d', 'h', 'm', 's', 'ms'];
// `ms` before `m` so that `500ms` is not read as 500 minutes followed by garbage.
const PART = /(\d+(?:\.\d+)?)\s*(ms|d|h|m|s)\s*/y;

/**
 * Reads a duration as milliseconds: `500ms`, `2s`, `5m`, `1h`, `1d`, combinations largest unit
 * first (`1h30m`), decimals (`1.5s`), or a non-negative number (or digit string) of milliseconds.
 * Returns null when the value is none of these.
 */
export function parseDuration(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.round(value) : null;
  if (typeof value !== 'string') return null;
  const text = value.trim();
  if (text === '') return null;
  if (/^\d+$/.test(text)) return checked(Number(text));
  PART.lastIndex = 0;
  let total = 0;
  let lastRank = -1;
  while (PART.lastIndex < text.length) {
    const m = PART.exec(text);
    if (!m) return null;
    const rank = UNIT_ORDER.indexOf(m[2] as Unit);
    if (rank <= lastRank) return null;
    lastRank = rank;
    total += Number(m[1]) * UNIT_MS[m[2] as Unit];
  }
  return checked(Math.round(total));
}

function checked(ms: number): number | null {
  return Number.isSafeInteger(ms) ? ms : null;
}

/**
 * The delay before attempt `failedAttempt + 1`. Exponential: `initial * 2^(n-1)` capped at `max`;
 * fixed: `initial` (capped at `max` too). "Equal jitter" keeps half of that delay and randomizes
 * the other half, so retries from many runs spread out without ever collapsing to zero (plain
 * "full jitter" can pick 0 and hammer a struggling receiver). Result in [delay/2, delay].
 */
export function backoffDelayMs(policy: RetryPolicy, failedAttempt: number, random: () => number = Math.random): number {
  const n = Math.max(1, Math.floor(failedAttempt));
  // 2 ** n stays finite for any attempt count validation allows (<= 100); min() caps it.
  const uncapped = policy.backoff === 'exponential' ? policy.initialMs * 2 ** (n - 1) : policy.initialMs;
  const delay = Math.min(uncapped, policy.maxMs);
  const half = delay / 2;
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(half + r * half);
}
