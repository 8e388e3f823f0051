import { Cron } from 'croner';
import { describe, expect, it } from 'vitest';
import { cronProblem, describeSchedule, nextTicks, ticksBetween, timezoneProblem } from './schedule.js';

const berlin = (cron: string) => ({ cron, timezone: 'Europe/Berlin' });
const iso = (dates: Date[]) => dates.map((d) => d.toISOString());

describe('schedules across daylight saving (Europe/Berlin, 2026)', () => {
  it('skips a daily time that does not exist when clocks go forward (29 March, 02:00 → 03:00)', () => {
    // croner alone would run at 03:00 local (01:00Z) on the 29th.
    expect(iso(nextTicks(berlin('30 2 * * *'), new Date('2026-03-27T12:00Z'), 3))).toEqual([
      '2026-03-28T01:30:00.000Z',
      '2026-03-30T00:30:00.000Z',
      '2026-03-31T00:30:00.000Z',
    ]);
    expect(iso(nextTicks(berlin('0 2 * * *'), new Date('2026-03-28T12:00Z'), 1))).toEqual(['2026-03-30T00:00:00.000Z']);
  });

  it('skips the missing half hours of an interval pattern and keeps the rest', () => {
    expect(iso(nextTicks(berlin('*/30 * * * *'), new Date('2026-03-29T00:00Z'), 4))).toEqual([
      '2026-03-29T00:30:00.000Z', // 01:30 CET
      '2026-03-29T01:00:00.000Z', // 03:00 CEST
      '2026-03-29T01:30:00.000Z',
      '2026-03-29T02:00:00.000Z',
    ]);
  });

  it('ticks once in the hour repeated when clocks go back (25 October, 03:00 → 02:00)', () => {
    expect(iso(nextTicks(berlin('30 2 * * *'), new Date('2026-10-24T12:00Z'), 2))).toEqual([
      '2026-10-25T00:30:00.000Z', // 02:30 CEST, the first of two
      '2026-10-26T01:30:00.000Z',
    ]);
    // croner alone would also run at 02:30 CET (01:30Z).
    expect(iso(nextTicks(berlin('30 * * * *'), new Date('2026-10-24T23:00Z'), 4))).toEqual([
      '2026-10-24T23:30:00.000Z',
      '2026-10-25T00:30:00.000Z',
      '2026-10-25T02:30:00.000Z',
      '2026-10-25T03:30:00.000Z',
    ]);
  });

  it('walks backwards by the same rules', () => {
    expect(iso(ticksBetween(berlin('30 2 * * *'), new Date('2026-03-27T12:00Z'), new Date('2026-03-31T00:30Z'), 10))).toEqual([
      '2026-03-28T01:30:00.000Z',
      '2026-03-30T00:30:00.000Z',
      '2026-03-31T00:30:00.000Z',
    ]);
    expect(iso(ticksBetween(berlin('30 * * * *'), new Date('2026-10-25T00:00Z'), new Date('2026-10-25T03:00Z'), 10))).toEqual([
      '2026-10-25T00:30:00.000Z',
      '2026-10-25T02:30:00.000Z',
    ]);
  });

  it('keeps weekday mornings at 09:00 local on both sides of each change', () => {
    expect(iso(nextTicks(berlin('0 9 * * 1-5'), new Date('2026-03-26T12:00Z'), 3))).toEqual([
      '2026-03-27T08:00:00.000Z',
      '2026-03-30T07:00:00.000Z',
      '2026-03-31T07:00:00.000Z',
    ]);
    expect(iso(nextTicks(berlin('0 9 * * 1-5'), new Date('2026-10-23T12:00Z'), 2))).toEqual([
      '2026-10-26T08:00:00.000Z',
      '2026-10-27T08:00:00.000Z',
    ]);
  });
});

describe('what croner does alone (the rules above correct it)', () => {
  // If a croner upgrade changes these, the corrections in schedule.ts may no longer be needed.
  const raw = (cron: string, from: string, n: number) => {
    const job = new Cron(cron, { timezone: 'Europe/Berlin', mode: '5-or-6-parts', paused: true });
    const out: string[] = [];
    let at: Date | null = new Date(from);
    for (let i = 0; i < n && at; i++) if ((at = job.nextRun(at))) out.push(at.toISOString());
    return out;
  };
  it('runs a fixed time in the spring gap at 03:00, and an interval pattern twice in the autumn hour', () => {
    expect(raw('30 2 * * *', '2026-03-28T12:00Z', 1)).toEqual(['2026-03-29T01:00:00.000Z']);
    expect(raw('30 * * * *', '2026-10-25T00:00Z', 2)).toEqual(['2026-10-25T00:30:00.000Z', '2026-10-25T01:30:00.000Z']);
  });
});

describe('ticksBetween', () => {
  const everyMinute = { cron: '* * * * *', timezone: 'UTC' };
  it('excludes the start, includes the end, and keeps the most recent when bounded', () => {
    const after = new Date('2026-01-01T00:00Z');
    expect(iso(ticksBetween(everyMinute, after, new Date('2026-01-01T00:03Z'), 10))).toEqual([
      '2026-01-01T00:01:00.000Z',
      '2026-01-01T00:02:00.000Z',
      '2026-01-01T00:03:00.000Z',
    ]);
    const bounded = ticksBetween(everyMinute, after, new Date('2026-01-02T00:00Z'), 100);
    expect(bounded).toHaveLength(100);
    expect(bounded[0]!.toISOString()).toBe('2026-01-01T22:21:00.000Z');
    expect(bounded[99]!.toISOString()).toBe('2026-01-02T00:00:00.000Z');
  });

  it('takes six fields as seconds first', () => {
    expect(iso(nextTicks({ cron: '*/20 * * * * *', timezone: 'UTC' }, new Date('2026-01-01T00:00:00Z'), 3))).toEqual([
      '2026-01-01T00:00:20.000Z',
      '2026-01-01T00:00:40.000Z',
      '2026-01-01T00:01:00.000Z',
    ]);
  });
});

describe('checks', () => {
  it('refuses what is not a 5 or 6 field pattern, and what never matches', () => {
    expect(cronProblem('0 9 * * 1-5')).toBeNull();
    expect(cronProblem('0 0 9 * * 1-5')).toBeNull();
    expect(cronProblem('0 9 * *')).toMatch(/invalid cron pattern/);
    expect(cronProblem('0 0 9 * * 1-5 2027')).toMatch(/invalid cron pattern/);
    expect(cronProblem('61 * * * *')).toMatch(/invalid cron pattern/);
    expect(cronProblem('0 9 31 2 *')).toMatch(/never matches/);
  });

  it('takes IANA zones only', () => {
    expect(timezoneProblem('Europe/Berlin')).toBeNull();
    expect(timezoneProblem('UTC')).toBeNull();
    expect(timezoneProblem('America/Argentina/Buenos_Aires')).toBeNull();
    expect(timezoneProblem('Mars/Olympus')).toMatch(/unknown time zone/);
    expect(timezoneProblem('+01:00')).toMatch(/unknown time zone/);
  });
});

describe('describeSchedule', () => {
  it('says it in words, 24-hour, with the zone', () => {
    expect(describeSchedule(berlin('0 9 * * 1-5'))).toBe('at 09:00 on Monday–Friday, Europe/Berlin');
    expect(describeSchedule({ cron: '30 14 * * *', timezone: 'UTC' })).toBe('at 14:30, UTC');
    expect(describeSchedule({ cron: '*/15 * * * *', timezone: 'UTC' })).toBe('every 15 minutes, UTC');
  });
});
