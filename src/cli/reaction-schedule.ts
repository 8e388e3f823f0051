// How the CLI shows a scheduled reaction: its cron in lists, and its words, next ticks and last
// ticks for one reaction. Times are printed in UTC with the schedule's own zone beside them, so
// what a reader sees does not depend on the machine the CLI runs on.
import type { Reaction, ReactionSchedule } from './api-types.js';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The document's `on.schedule` cron and zone (UTC when left out), or null for a reaction started by events. */
export function documentSchedule(document: unknown): { cron: string; timezone: string } | null {
  const on = isObject(document) ? document.on : undefined;
  const schedule = isObject(on) ? on.schedule : undefined;
  if (!isObject(schedule)) return null;
  const cron = typeof schedule.cron === 'string' ? schedule.cron : '';
  const timezone = typeof schedule.timezone === 'string' && schedule.timezone !== '' ? schedule.timezone : 'UTC';
  return { cron, timezone };
}

/** What starts the reaction, for a table cell: its event type or glob, or `schedule <cron> (<zone>)`. */
export function triggerText(reaction: Pick<Reaction, 'trigger' | 'document'>): string {
  const schedule = documentSchedule(reaction.document);
  return schedule ? `schedule ${schedule.cron} (${schedule.timezone})` : reaction.trigger;
}

const hasSeconds = (iso: string) => new Date(iso).getUTCSeconds() !== 0;

/** `2026-12-07 08:00 UTC` (with seconds when the tick has them); the text as given when it is no time. */
export function utcText(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const text = date.toISOString();
  return `${text.slice(0, 10)} ${text.slice(11, hasSeconds(iso) ? 19 : 16)} UTC`;
}

/** The same instant in `timezone`, as `Mon 09:00 Europe/Berlin`; nothing when the zone is UTC or unknown. */
export function zonedText(iso: string, timezone: string): string {
  if (timezone === 'UTC' || timezone === 'Etc/UTC') return '';
  try {
    // Assembled from parts: the joined text differs between ICU versions (Node lines).
    const parts = new Intl.DateTimeFormat('en-GB', {
      timeZone: timezone,
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    }).formatToParts(new Date(iso));
    const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
    const time = `${part('hour')}:${part('minute')}${hasSeconds(iso) ? `:${part('second')}` : ''}`;
    return `${part('weekday')} ${part('day')} ${part('month')} ${time} ${timezone}`;
  } catch {
    return '';
  }
}

/** One tick's time for a person: UTC, then the schedule's zone in parentheses when it differs. */
export function tickText(iso: string, timezone: string): string {
  const zoned = zonedText(iso, timezone);
  return zoned ? `${utcText(iso)} (${zoned})` : utcText(iso);
}

/** The lines `reactions show` prints for a schedule: words, cron, next ticks and last ticks. */
export function scheduleLines(schedule: ReactionSchedule, enabled: boolean): string[] {
  const lines = [
    `Schedule: ${schedule.description}`,
    `  cron ${schedule.cron}, time zone ${schedule.timezone}, missed ticks: ${schedule.catchUp}`,
  ];
  lines.push('', 'Next ticks:');
  if (schedule.next.length === 0) lines.push(enabled ? '  none ahead' : '  none: the reaction is disabled');
  for (const iso of schedule.next) lines.push(`  ${tickText(iso, schedule.timezone)}`);
  lines.push('', 'Last ticks:');
  if (schedule.lastTicks.length === 0) lines.push('  none yet');
  for (const tick of schedule.lastTicks) {
    const late = new Date(tick.firedAt).getTime() - new Date(tick.scheduledAt).getTime();
    const fired = late >= 1000 ? `, fired ${utcText(tick.firedAt)}` : '';
    lines.push(`  ${tickText(tick.scheduledAt, schedule.timezone)}${fired}  ${tick.runId ? `run ${tick.runId}` : 'no run'}`);
  }
  return lines;
}
