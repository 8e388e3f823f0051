import { Cron } from 'croner';
import cronstrue from 'cronstrue';

/**
 * Schedules: when a scheduled reaction ticks. Cron patterns are parsed and stepped by croner;
 * this file adds Shipline's rules on top of it, the same in every direction it is walked:
 * - a local time that does not exist (the hour skipped when clocks go forward) is skipped,
 *   where croner would run a fixed-time pattern at the first time after the gap;
 * - a local time that occurs twice (the hour repeated when clocks go back) ticks once, at its
 *   first occurrence, where croner would run an interval pattern on both.
 */

export const CATCH_UP_MODES = ['latest', 'none', 'all'] as const;
/** What a scheduled reaction does with ticks missed while no Shipline was running. */
export type CatchUp = (typeof CATCH_UP_MODES)[number];

export interface Schedule {
  /** 5 fields, or 6 with seconds first. */
  cron: string;
  /** An IANA time zone. Default DEFAULT_TIMEZONE. */
  timezone: string;
  /** Default 'latest'. */
  catchUp: CatchUp;
}

export const DEFAULT_TIMEZONE = 'UTC';
export const DEFAULT_CATCH_UP: CatchUp = 'latest';
/** `catchUp: all` fires at most this many missed ticks (the most recent ones). */
export const MAX_CATCH_UP = 100;
/** The longest cron pattern taken (a pattern is five or six short fields). */
const MAX_CRON_LENGTH = 200;
// Zone names as IANA spells them (Europe/Berlin, America/Argentina/Buenos_Aires, Etc/GMT+5, UTC);
// offsets such as "+01:00", which Intl also takes, have no daylight saving rules to follow.
const IANA_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/;
// Every fall-back shift in the time zone database is one of these (Lord Howe's is 30 minutes).
const FALL_BACK_SHIFTS_MS = [15, 30, 45, 60, 90, 120].map((m) => m * 60_000);
/** Steps tried for one tick before giving up (a pattern whose every time falls into gaps). */
const MAX_STEPS_PER_TICK = 50;

function cronOf(cron: string, timezone: string): Cron {
  return new Cron(cron, { timezone, mode: '5-or-6-parts', paused: true });
}

/** Why `cron` is not a pattern Shipline takes, or null. */
export function cronProblem(cron: string): string | null {
  if (cron.length > MAX_CRON_LENGTH) return `at most ${MAX_CRON_LENGTH} characters`;
  let job: Cron;
  try {
    job = cronOf(cron, DEFAULT_TIMEZONE);
  } catch (err) {
    return `invalid cron pattern ${JSON.stringify(cron)}: ${cronMessage(err)}; use 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first`;
  }
  // Patterns carry no year, so one that has no next time (31 February) never has one.
  if (job.nextRun() === null) return `the pattern ${JSON.stringify(cron)} never matches a date`;
  return null;
}

function cronMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/^CronPattern: /, '');
}

/** Why `timezone` is not an IANA time zone, or null. */
export function timezoneProblem(timezone: string): string | null {
  if (IANA_NAME.test(timezone) && timezone.length <= 100) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: timezone });
      return null;
    } catch {
      // Not a zone this runtime knows: said below.
    }
  }
  return `unknown time zone ${JSON.stringify(timezone)}; use an IANA name such as Europe/Berlin or UTC`;
}

const wallClocks = new Map<string, Intl.DateTimeFormat>();

/** The zone's offset from UTC at `ms`, in milliseconds (whole seconds). */
function offsetAt(timezone: string, ms: number): number {
  let format = wallClocks.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    wallClocks.set(timezone, format);
  }
  const part: Record<string, number> = {};
  for (const p of format.formatToParts(ms)) if (p.type !== 'literal') part[p.type] = Number(p.value);
  const wall = Date.UTC(part.year!, part.month! - 1, part.day!, part.hour!, part.minute!, part.second!);
  return wall - Math.floor(ms / 1000) * 1000;
}

/** True when the local time at `ms` was already shown earlier (the second pass of a repeated hour). */
function isRepeatedLocalTime(timezone: string, ms: number): boolean {
  const offset = offsetAt(timezone, ms);
  return FALL_BACK_SHIFTS_MS.some((shift) => offsetAt(timezone, ms - shift) - offset === shift);
}

/** A time croner proposes is a tick when its local time matches the pattern and shows for the first time. */
function isTick(job: Cron, timezone: string, at: Date): boolean {
  return job.match(at) && !isRepeatedLocalTime(timezone, at.getTime());
}

/** The next `count` ticks strictly after `after`, in order. */
export function nextTicks(schedule: Pick<Schedule, 'cron' | 'timezone'>, after: Date, count: number): Date[] {
  const job = cronOf(schedule.cron, schedule.timezone);
  const ticks: Date[] = [];
  let cursor: Date | null = after;
  for (let steps = 0; ticks.length < count && steps < count * MAX_STEPS_PER_TICK; steps++) {
    cursor = job.nextRun(cursor);
    if (cursor === null) break;
    if (isTick(job, schedule.timezone, cursor)) ticks.push(cursor);
  }
  return ticks;
}

/**
 * The ticks after `after` (exclusive) up to `until` (inclusive), at most `limit`: the most recent
 * ones, oldest first. Walked backwards from `until`, so a long gap costs `limit` steps, not one
 * per tick missed.
 */
export function ticksBetween(schedule: Pick<Schedule, 'cron' | 'timezone'>, after: Date, until: Date, limit: number): Date[] {
  if (limit <= 0 || until <= after) return [];
  const job = cronOf(schedule.cron, schedule.timezone);
  const found: Date[] = [];
  // previousRuns excludes its reference, so a tick at `until` itself is included by one millisecond more.
  let reference = new Date(until.getTime() + 1);
  for (let steps = 0; found.length < limit && steps < limit * MAX_STEPS_PER_TICK;) {
    const batch = job.previousRuns(Math.min(limit - found.length + 2, MAX_CATCH_UP), reference);
    if (batch.length === 0) break;
    for (const at of batch) {
      steps++;
      if (at <= after) return found.reverse();
      if (isTick(job, schedule.timezone, at)) found.push(at);
      if (found.length === limit) break;
    }
    reference = batch[batch.length - 1]!;
  }
  return found.reverse();
}

/** The schedule in words, 24-hour: "at 09:00 on Monday–Friday, Europe/Berlin". */
export function describeSchedule(schedule: Pick<Schedule, 'cron' | 'timezone'>): string {
  let words: string;
  try {
    words = cronstrue.toString(schedule.cron, { use24HourTimeFormat: true, throwExceptionOnParseError: true });
  } catch {
    words = `cron "${schedule.cron}"`;
  }
  words = words
    .replace(/, (\w+day) through (\w+day)/g, ' on $1–$2')
    .replace(/, only on /g, ' on ')
    .replace(/^At /, 'at ')
    .replace(/^Every /, 'every ');
  return `${words}, ${schedule.timezone}`;
}

/** The source of a scheduled reaction's ticks. */
export function scheduleSource(reaction: string): string {
  return `schedule:${reaction}`;
}

/** The tick's key: one event per reaction and scheduled time, whichever instance stores it first. */
export function tickSourceKey(reaction: string, scheduledAt: string): string {
  return `schedule:${reaction}:${scheduledAt}`;
}

/** The event type every tick is stored as. */
export const SCHEDULE_EVENT = 'schedule.fired';

/** A tick this much older than now is missed rather than late (what `catchUp: none` leaves out); default 1 min. */
export const DEFAULT_LATE_AFTER_MS = 60_000;

/**
 * The ticks to fire now, after the last one that counts (`after`, exclusive), by the schedule's
 * catch-up: `latest` the most recent tick, `none` the most recent only if it is not yet
 * `lateAfterMs` old, `all` each one (the most recent MAX_CATCH_UP). In order.
 */
export function dueTicks(schedule: Schedule, after: Date, now: Date, lateAfterMs = DEFAULT_LATE_AFTER_MS): Date[] {
  if (schedule.catchUp === 'all') return ticksBetween(schedule, after, now, MAX_CATCH_UP);
  const latest = ticksBetween(schedule, after, now, 1);
  if (schedule.catchUp === 'latest') return latest;
  return latest.filter((at) => now.getTime() - at.getTime() <= lateAfterMs);
}
