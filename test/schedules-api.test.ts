import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextTicks } from '../src/core/schedule.js';
import { DIALECTS } from './support/databases.js';
import type { EngineTestApp } from './support/runtime.js';
import { startEngineApp } from './support/runtime.js';

const NAME = 'staging-weekdays';
const SCHEDULE = { cron: '0 9 * * 1-5', timezone: 'Europe/Berlin' };
const steps = {
  deploy: { uses: 'http.request', with: { method: 'POST', url: 'http://127.0.0.1:9/deploy', body: { tick: '{{ data.scheduledAt }}' } } },
};

interface ScheduleBody {
  cron: string;
  timezone: string;
  catchUp: string;
  description: string;
  nextFireAt: string | null;
  next: string[];
  lastTicks: Array<{ scheduledAt: string; firedAt: string; eventId: string; runId: string | null }>;
}

describe.each(DIALECTS)('schedules through the API on %s', (dialect) => {
  let t: EngineTestApp;
  let clock = new Date('2026-03-27T07:59:00Z'); // a Friday, 08:59 in Berlin
  const get = async (url: string) => (await t.api({ method: 'GET', url, role: 'read' })).json<Record<string, unknown>>();

  beforeAll(async () => {
    t = await startEngineApp(dialect, { scheduleClock: () => new Date(clock) });
    await t.applyReaction({ name: NAME, on: { schedule: SCHEDULE }, steps });
    await t.applyReaction({ name: 'on-deploys', on: { event: 'deploy.recorded' }, steps });
  });
  afterAll(async () => t.close());

  it('shows the schedule in words, its next five ticks and no ticks yet', async () => {
    const body = await get(`/api/v1/reactions/${NAME}`);
    const schedule = body.schedule as ScheduleBody;
    const expected = nextTicks(SCHEDULE, new Date(), 5).map((d) => d.toISOString());
    expect(schedule).toMatchObject({
      ...SCHEDULE,
      catchUp: 'latest',
      description: 'at 09:00 on Monday–Friday, Europe/Berlin',
      lastTicks: [],
    });
    // The API's clock is the system's: the next ticks from now.
    expect(schedule.next).toEqual(expected);
    expect(schedule.nextFireAt).toBe(expected[0]);
    expect((await get('/api/v1/reactions/on-deploys')).schedule).toBeNull();
  });

  it('lists the last ticks with their events and runs, newest first', async () => {
    await t.runtime.scheduler.tick(); // first seen at 07:59Z: counts ticks from then
    clock = new Date('2026-03-27T08:00:00.050Z');
    await t.runtime.scheduler.tick();
    clock = new Date('2026-03-30T07:00:00.020Z'); // Monday 09:00, summer time
    await t.runtime.scheduler.tick();
    const { lastTicks } = (await get(`/api/v1/reactions/${NAME}`)).schedule as ScheduleBody;
    expect(lastTicks.map((tick) => tick.scheduledAt)).toEqual(['2026-03-30T07:00:00.000Z', '2026-03-27T08:00:00.000Z']);
    expect(lastTicks[0]!.firedAt).toBe('2026-03-30T07:00:00.020Z');
    for (const tick of lastTicks) {
      expect(tick.runId).toEqual(expect.any(String));
      const run = await get(`/api/v1/runs/${tick.runId}`);
      expect(run).toMatchObject({ reaction: NAME, eventId: tick.eventId });
      const event = await get(`/api/v1/events/${tick.eventId}`);
      expect(event).toMatchObject({
        type: 'schedule.fired',
        source: `schedule:${NAME}`,
        data: { reaction: NAME, scheduledAt: tick.scheduledAt },
      });
    }
  });

  it('gives nextFireAt in the list, null for event reactions and disabled ones', async () => {
    const items = () =>
      get('/api/v1/reactions').then((b) =>
        Object.fromEntries((b.items as Array<{ name: string; nextFireAt: string | null }>).map((i) => [i.name, i.nextFireAt])),
      );
    expect(await items()).toEqual({ [NAME]: nextTicks(SCHEDULE, new Date(), 1)[0]!.toISOString(), 'on-deploys': null });
    await t.api({ method: 'PATCH', url: `/api/v1/reactions/${NAME}`, payload: { enabled: false } });
    expect(await items()).toEqual({ [NAME]: null, 'on-deploys': null });
    const schedule = (await get(`/api/v1/reactions/${NAME}`)).schedule as ScheduleBody;
    expect(schedule).toMatchObject({ nextFireAt: null, next: [] });
    expect(schedule.lastTicks).toHaveLength(2);
    await t.api({ method: 'PATCH', url: `/api/v1/reactions/${NAME}`, payload: { enabled: true } });
  });

  it('previews a scheduled document when validating it, and reports its problems', async () => {
    const validate = (document: unknown) =>
      t
        .api({ method: 'POST', url: '/api/v1/reactions/validate', role: 'read', payload: { document } })
        .then((r) => r.json<Record<string, unknown>>());
    const valid = await validate({ name: 'x', on: { schedule: SCHEDULE }, steps });
    expect(valid).toMatchObject({ valid: true, warnings: [], schedule: { description: 'at 09:00 on Monday–Friday, Europe/Berlin' } });
    expect((valid.schedule as { next: string[] }).next).toEqual(nextTicks(SCHEDULE, new Date(), 5).map((d) => d.toISOString()));
    expect(valid.reaction).toMatchObject({ on: { event: 'schedule.fired', schedule: { ...SCHEDULE, catchUp: 'latest' } } });
    expect('schedule' in (await validate({ name: 'x', on: { event: 'deploy.recorded' }, steps }))).toBe(false);
    const invalid = await validate({
      name: 'x',
      on: { event: 'deploy.recorded', schedule: { cron: '0 25 * * *', timezone: 'Berlin' } },
      steps,
    });
    expect(invalid).toMatchObject({ valid: false });
    expect(invalid.problems).toEqual([
      'on: give either on.event or on.schedule, not both',
      expect.stringMatching(/^on\.schedule\.cron: invalid cron pattern "0 25 \* \* \*"/),
      'on.schedule.timezone: unknown time zone "Berlin"; use an IANA name such as Europe/Berlin or UTC',
    ]);
    // PUT refuses it the same way.
    const put = await t.api({
      method: 'PUT',
      url: '/api/v1/reactions/x',
      payload: { name: 'x', on: { schedule: { cron: 'every day' } }, steps },
    });
    expect(put.statusCode).toBe(400);
    expect(put.json<{ error: { code: string } }>().error.code).toBe('reaction.invalid');
  });

  it('dry-runs the next tick for an empty test body, and still needs an event for other reactions', async () => {
    const res = await t.api({ method: 'POST', url: `/api/v1/reactions/${NAME}/test`, role: 'read', payload: {} });
    expect(res.statusCode).toBe(200);
    const next = nextTicks(SCHEDULE, new Date(), 1)[0]!.toISOString();
    expect(res.json()).toMatchObject({ matched: true, reason: null, steps: [{ id: 'deploy', input: { body: { tick: next } } }] });
    // A tick of another reaction would not start it.
    const other = await t.api({
      method: 'POST',
      url: `/api/v1/reactions/${NAME}/test`,
      role: 'read',
      payload: {
        event: { type: 'schedule.fired', source: 'schedule:other', data: { reaction: 'other', scheduledAt: next, firedAt: next } },
      },
    });
    expect(other.json()).toMatchObject({ matched: false, reason: "the event is not a tick of this reaction's schedule" });
    const unscheduled = await t.api({ method: 'POST', url: '/api/v1/reactions/on-deploys/test', role: 'read', payload: {} });
    expect(unscheduled.statusCode).toBe(400);
  });
});
