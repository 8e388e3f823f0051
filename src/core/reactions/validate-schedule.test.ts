import { describe, expect, it } from 'vitest';
import { validateReaction } from './document.js';
import { OctopusTrigger } from '../../integrations/octopus/trigger.js';
import { compileTrigger } from './matching.js';

const ctx = { triggers: [{ type: 'octopus', schema: OctopusTrigger }], applying: true };
const steps = { hello: { uses: 'log', with: { message: 'tick {{ data.scheduledAt }}' } } };
const doc = (on: unknown) => ({ name: 'weekday-staging', on, steps });
const problemsOf = (on: unknown) => {
  const result = validateReaction(doc(on), ctx);
  return result.ok ? [] : result.problems;
};

describe('on.schedule', () => {
  it('normalizes to a schedule.fired trigger with defaults', () => {
    const result = validateReaction(doc({ schedule: { cron: '0 9 * * 1-5' } }), ctx);
    expect(result.ok && result.reaction.on).toEqual({
      event: 'schedule.fired',
      filter: {},
      if: null,
      schedule: { cron: '0 9 * * 1-5', timezone: 'UTC', catchUp: 'latest' },
    });
    const full = validateReaction(
      doc({ schedule: { cron: '0 0 9 * * 1-5', timezone: 'Europe/Berlin', catchUp: 'all' }, if: 'data.reaction != ""' }),
      ctx,
    );
    expect(full.ok && full.reaction.on.schedule).toEqual({ cron: '0 0 9 * * 1-5', timezone: 'Europe/Berlin', catchUp: 'all' });
  });

  it('reloads a stored document the same way', () => {
    const stored = doc({ schedule: { cron: '30 2 * * *', timezone: 'Europe/Berlin', catchUp: 'none' } });
    const applied = validateReaction(stored, ctx);
    const loaded = validateReaction(JSON.parse(JSON.stringify(stored)), {});
    expect(loaded).toEqual(applied);
  });

  it('lists every problem, each at its path', () => {
    expect(problemsOf({ schedule: { cron: '0 9 * *', timezone: 'Mars/Olympus', catchUp: 'some', every: 1 } })).toEqual([
      'on.schedule.every: unknown key; "on.schedule" has cron, timezone, catchUp',
      expect.stringMatching(/^on\.schedule\.cron: invalid cron pattern "0 9 \* \*": .*5 fields/),
      'on.schedule.timezone: unknown time zone "Mars/Olympus"; use an IANA name such as Europe/Berlin or UTC',
      'on.schedule.catchUp: must be one of latest, none, all, not "some"',
    ]);
    expect(problemsOf({ schedule: {} })).toEqual(['on.schedule.cron: required, e.g. "0 9 * * 1-5" (09:00 Monday to Friday)']);
    expect(problemsOf({ schedule: '0 9 * * *' })).toEqual([
      'on.schedule: must be an object with "cron" (and optionally "timezone", "catchUp"), not "0 9 * * *"',
    ]);
    expect(problemsOf({ schedule: { cron: 9 } })).toEqual(['on.schedule.cron: must be a cron pattern (text), not 9']);
    expect(problemsOf({ schedule: { cron: '0 9 31 2 *' } })).toEqual(['on.schedule.cron: the pattern "0 9 31 2 *" never matches a date']);
  });

  it('is exclusive with on.event and on.connection', () => {
    expect(problemsOf({ event: 'deploy.recorded', schedule: { cron: '0 9 * * *' } })).toEqual([
      'on: give either on.event or on.schedule, not both',
    ]);
    expect(problemsOf({ connection: 'prod', schedule: { cron: '0 9 * * *' } })).toEqual([
      'on.connection: a scheduled reaction is started by time, not by a connection',
    ]);
  });

  it('matches only its own ticks, then its filter and if', () => {
    const result = validateReaction(doc({ schedule: { cron: '0 9 * * *' }, if: 'data.scheduledAt.startsWith("2026")' }), ctx);
    if (!result.ok) throw new Error(result.problems.join('; '));
    const test = compileTrigger(result.reaction.on, [], result.reaction.name);
    const tick = (reaction: string, scheduledAt = '2026-03-30T09:00:00.000Z') => ({
      type: 'schedule.fired',
      source: `schedule:${reaction}`,
      data: { reaction, scheduledAt, firedAt: scheduledAt },
    });
    expect(test(tick('weekday-staging'))).toBe(true);
    expect(test(tick('other'))).toBe(false);
    expect(test({ ...tick('weekday-staging'), source: 'webhook:x' })).toBe(false);
    expect(test(tick('weekday-staging', '2027-01-01T09:00:00.000Z'))).toBe(false);
    // Another reaction listening to schedule.fired by event hears every tick.
    const listener = validateReaction({ name: 'audit', on: { event: 'schedule.fired' }, steps }, ctx);
    if (!listener.ok) throw new Error(listener.problems.join('; '));
    expect(compileTrigger(listener.reaction.on, [], 'audit')(tick('weekday-staging'))).toBe(true);
  });
});
