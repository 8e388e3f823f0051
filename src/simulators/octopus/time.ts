/** Dates as Octopus writes them; everything is UTC, as a server configured for UTC shows it. */

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** `2024-03-01T10:00:00.000+00:00`: ISO 8601 with milliseconds and an explicit offset. */
export function octopusTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+00:00');
}

export function octopusTimeOrNull(ms: number | null): string | null {
  return ms === null ? null : octopusTime(ms);
}

function clock12(date: Date): string {
  const hours = date.getUTCHours() % 12 === 0 ? 12 : date.getUTCHours() % 12;
  return `${hours}:${String(date.getUTCMinutes()).padStart(2, '0')} ${date.getUTCHours() < 12 ? 'AM' : 'PM'}`;
}

/** `Friday, 03 March 2023 1:00 AM +00:00`, as in "Scheduled to deploy ... at ..." messages. */
export function scheduledAt(ms: number): string {
  const d = new Date(ms);
  const day = String(d.getUTCDate()).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]}, ${day} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${clock12(d)} +00:00`;
}

/** `Friday, July 14, 2017 4:22 PM`, the task's human `Completed` text. */
export function completedText(ms: number): string {
  const d = new Date(ms);
  return `${DAYS[d.getUTCDay()]}, ${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()} ${clock12(d)}`;
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/** A task's `Duration`: the largest whole unit, "4 seconds", "8 minutes", "1 hour". */
export function humanDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return plural(seconds, 'second');
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return plural(minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return plural(hours, 'hour');
  return plural(Math.floor(hours / 24), 'day');
}

/** `00:00:10` (a .NET TimeSpan) as milliseconds; falls back to `fallbackMs` when unreadable. */
export function timeSpanMs(text: string | null | undefined, fallbackMs: number): number {
  const m = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d+))?$/.exec(text?.trim() ?? '');
  if (!m) return fallbackMs;
  const [, days = '0', h = '0', min = '0', s = '0', frac = '0'] = m;
  const ms = Number(`0.${frac}`) * 1000;
  return ((Number(days) * 24 + Number(h)) * 60 + Number(min)) * 60_000 + Number(s) * 1000 + ms;
}
