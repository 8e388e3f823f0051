import { getIn, isObject } from './document';
import type { Doc } from './document';

/** `on.schedule` as written: the cron text, its time zone (UTC when left out) and what to do about missed ticks. */
export interface DocSchedule {
  cron: string;
  timezone: string;
  catchUp: string;
}

/** The document's `on.schedule`, or null for a reaction started by events. */
export function scheduleOf(doc: unknown): DocSchedule | null {
  const schedule = getIn(doc, ['on', 'schedule']);
  if (!isObject(schedule)) return null;
  const text = (value: unknown, fallback: string) => (typeof value === 'string' && value !== '' ? value : fallback);
  return { cron: text(schedule.cron, ''), timezone: text(schedule.timezone, 'UTC'), catchUp: text(schedule.catchUp, 'latest') };
}

/** A short name for what starts the reaction: its event type or glob, or its cron and zone (never "undefined"). */
export function triggerLabel(doc: Doc): string {
  const schedule = scheduleOf(doc);
  if (schedule) return `${schedule.cron || '(no cron)'} ${schedule.timezone}`;
  const event = getIn(doc, ['on', 'event']);
  return typeof event === 'string' ? event : '';
}

/** The viewer's IANA time zone, as the browser reports it. */
export const viewerZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

const withSeconds = (isos: readonly string[]) => isos.some((iso) => new Date(iso).getUTCSeconds() !== 0);

/**
 * A tick in the viewer's local time with the zone's abbreviation ("Mon, Dec 7, 2026, 03:00 EST"),
 * seconds only when some tick in `all` has them (6-field crons).
 */
export function localTime(iso: string, all: readonly string[] = [iso]): string {
  return new Intl.DateTimeFormat(undefined, {
    weekday: 'short',
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    ...(withSeconds(all) ? { second: '2-digit' } : {}),
    timeZoneName: 'short',
  }).format(new Date(iso));
}

/** A tick in a table cell, in the viewer's zone: "Mon 03:00 EST" (the weekday, the time and the zone). */
export function shortLocalTime(iso: string): string {
  return new Intl.DateTimeFormat(undefined, { weekday: 'short', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' }).format(
    new Date(iso),
  );
}

/** The same tick in UTC, as `2026-12-07 08:00 UTC` (seconds when some tick in `all` has them). */
export function utcTime(iso: string, all: readonly string[] = [iso]): string {
  const date = new Date(iso).toISOString();
  return `${date.slice(0, 10)} ${date.slice(11, withSeconds(all) ? 19 : 16)} UTC`;
}

/** For a scheduled document, the tick a dry run renders against: its reaction and when it is due (null until known). */
export interface TickSubject {
  reaction: string;
  scheduledAt: string | null;
}

export function tickSubjectOf(doc: Doc, nextAt: string | null): TickSubject | null {
  if (!scheduleOf(doc)) return null;
  return { reaction: typeof doc.name === 'string' ? doc.name : '', scheduledAt: nextAt };
}

/** The `schedule.fired` event Shipline stores for a tick, as if it fired on time. */
export function tickEvent(reaction: string, scheduledAt: string) {
  return {
    type: 'schedule.fired',
    source: `schedule:${reaction}`,
    data: { reaction, scheduledAt, firedAt: scheduledAt },
  };
}
