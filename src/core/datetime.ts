// Accepts `YYYY-MM-DD HH:MM:SS` (UTC, OpsLevel's format), ISO 8601 date-times with or without
// an offset (no offset means UTC), and plain ISO dates (midnight UTC).
const DATETIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/** Parses a deploy or commit datetime to an ISO string in UTC, or returns null when it is not one. */
export function parseDatetime(raw: string): string | null {
  const m = DATETIME.exec(raw.trim());
  if (!m) return null;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone] = m;
  const year = Number(y),
    month = Number(mo),
    day = Number(d);
  const hour = Number(h),
    minute = Number(mi),
    second = Number(s);
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return null;
  const ms = Number((frac + '000').slice(0, 3));
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  // Date.UTC rolls 2019-02-30 over into March; a real date survives the round trip.
  if (new Date(utc).getUTCDate() !== day) return null;
  return new Date(utc - offsetMinutes(zone) * 60_000).toISOString();
}

function offsetMinutes(zone: string | undefined): number {
  if (!zone || zone.toUpperCase() === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2) || '0');
  return sign * (hours * 60 + minutes);
}
