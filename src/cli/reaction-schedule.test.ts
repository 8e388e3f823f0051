import { describe, expect, it } from 'vitest';
import { documentSchedule, scheduleLines, tickText, triggerText, utcText, zonedText } from './reaction-schedule.js';

describe('how the CLI shows schedules', () => {
  it('reads the cron and zone from the document, UTC when left out, and nothing for an event trigger', () => {
    expect(documentSchedule({ on: { schedule: { cron: '0 9 * * 1-5', timezone: 'Europe/Berlin' } } })).toEqual({
      cron: '0 9 * * 1-5',
      timezone: 'Europe/Berlin',
    });
    expect(documentSchedule({ on: { schedule: { cron: '*/5 * * * *' } } })).toEqual({ cron: '*/5 * * * *', timezone: 'UTC' });
    expect(documentSchedule({ on: { event: 'deploy.recorded' } })).toBeNull();
    expect(documentSchedule('not a document')).toBeNull();
    expect(triggerText({ trigger: 'schedule.fired', document: { on: { schedule: { cron: '0 9 * * *' } } } })).toBe(
      'schedule 0 9 * * * (UTC)',
    );
    expect(triggerText({ trigger: 'deploy.*', document: { on: { event: 'deploy.*' } } })).toBe('deploy.*');
  });

  it('prints a tick in UTC with the schedule zone beside it, across a daylight-saving change', () => {
    expect(utcText('2026-12-07T08:00:00.000Z')).toBe('2026-12-07 08:00 UTC');
    expect(utcText('2026-12-07T08:00:30.000Z')).toBe('2026-12-07 08:00:30 UTC');
    expect(zonedText('2026-12-07T08:00:00.000Z', 'Europe/Berlin')).toBe('Mon 7 Dec 09:00 Europe/Berlin');
    // Summer time: the same 09:00 in Berlin is 07:00 UTC.
    expect(tickText('2027-06-07T07:00:00.000Z', 'Europe/Berlin')).toBe('2027-06-07 07:00 UTC (Mon 7 Jun 09:00 Europe/Berlin)');
    expect(tickText('2026-12-07T08:00:00.000Z', 'UTC')).toBe('2026-12-07 08:00 UTC');
    expect(zonedText('2026-12-07T08:00:00.000Z', 'Not/AZone')).toBe('');
  });

  it('lists the words, the next ticks and the last ticks with their runs', () => {
    const lines = scheduleLines(
      {
        cron: '0 9 * * 1-5',
        timezone: 'Europe/Berlin',
        catchUp: 'latest',
        description: 'at 09:00 on Monday–Friday, Europe/Berlin',
        nextFireAt: '2026-12-07T08:00:00.000Z',
        next: ['2026-12-07T08:00:00.000Z', '2026-12-08T08:00:00.000Z'],
        lastTicks: [
          { scheduledAt: '2026-12-04T08:00:00.000Z', firedAt: '2026-12-04T08:00:00.120Z', eventId: 'e2', runId: 'r2' },
          { scheduledAt: '2026-12-03T08:00:00.000Z', firedAt: '2026-12-03T09:30:00.000Z', eventId: 'e1', runId: null },
        ],
      },
      true,
    );
    expect(lines).toEqual([
      'Schedule: at 09:00 on Monday–Friday, Europe/Berlin',
      '  cron 0 9 * * 1-5, time zone Europe/Berlin, missed ticks: latest',
      '',
      'Next ticks:',
      '  2026-12-07 08:00 UTC (Mon 7 Dec 09:00 Europe/Berlin)',
      '  2026-12-08 08:00 UTC (Tue 8 Dec 09:00 Europe/Berlin)',
      '',
      'Last ticks:',
      '  2026-12-04 08:00 UTC (Fri 4 Dec 09:00 Europe/Berlin)  run r2',
      '  2026-12-03 08:00 UTC (Thu 3 Dec 09:00 Europe/Berlin), fired 2026-12-03 09:30 UTC  no run',
    ]);
  });

  it('says why no tick is ahead for a disabled reaction', () => {
    const lines = scheduleLines(
      { cron: '0 9 * * *', timezone: 'UTC', catchUp: 'none', description: 'at 09:00', nextFireAt: null, next: [], lastTicks: [] },
      false,
    );
    expect(lines).toContain('  none: the reaction is disabled');
    expect(lines).toContain('  none yet');
  });
});
