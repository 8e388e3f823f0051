import { afterEach, describe, expect, it } from 'vitest';
import { validateReaction } from '../src/core/reactions/document.js';
import type { FiredTick } from '../src/engine/scheduler.js';
import { Scheduler } from '../src/engine/scheduler.js';
import type { Store } from '../src/store/index.js';
import { openStore } from '../src/store/index.js';
import type { TestDatabase } from './support/databases.js';
import { DIALECTS, freshDatabase } from './support/databases.js';
import { TEST_MASTER_KEY } from './support/runtime.js';

/** A clock the test moves. */
class Clock {
  constructor(private at: Date) {}
  now = (): Date => new Date(this.at);
  set(iso: string | Date): void {
    this.at = new Date(iso);
  }
  advance(ms: number): void {
    this.at = new Date(this.at.getTime() + ms);
  }
}

const MINUTE = 60_000;

describe.each(DIALECTS)('scheduled reactions on %s', (dialect) => {
  let database: TestDatabase;
  const stores: Store[] = [];

  async function open(existing?: TestDatabase): Promise<Store> {
    database = existing ?? (await freshDatabase(dialect));
    const store = openStore({ ...database.options, masterKey: TEST_MASTER_KEY });
    await store.migrate();
    stores.push(store);
    return store;
  }

  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    await database.drop();
  });

  async function apply(store: Store, name: string, on: Record<string, unknown>): Promise<void> {
    const document = { name, on, steps: { note: { uses: 'log', with: { message: '{{ data.scheduledAt }}' } } } };
    const result = validateReaction(document, { applying: true });
    if (!result.ok) throw new Error(result.problems.join('; '));
    await store.reactions.apply(result.reaction, document);
  }

  /** Moves the clock to each wake-up the scheduler asks for (as its timer would), until `until`. */
  async function runUntil(scheduler: Scheduler, clock: Clock, until: string): Promise<string[]> {
    const fired: FiredTick[] = [...(await scheduler.tick())];
    for (;;) {
      const next = scheduler.nextWake();
      if (next === null || next.toISOString() > until) break;
      clock.set(next);
      fired.push(...(await scheduler.tick()));
    }
    return fired.map((t) => t.scheduledAt);
  }

  async function count(store: Store, sql: string, params: unknown[] = []): Promise<number> {
    const [row] = await store.db.transaction((run) => run.query<{ n: number | string }>(sql, params));
    return Number(row!.n);
  }

  it('ticks at the right instants across both daylight-saving changes in Europe/Berlin', async () => {
    const store = await open();
    await apply(store, 'nightly', { schedule: { cron: '30 2 * * *', timezone: 'Europe/Berlin', catchUp: 'all' } });
    await apply(store, 'half-past', { schedule: { cron: '30 * * * *', timezone: 'Europe/Berlin' } });
    const clock = new Clock(new Date('2026-03-27T12:00:00Z'));
    const scheduler = new Scheduler(store, { now: clock.now });

    await runUntil(scheduler, clock, '2026-03-31T12:00:00.000Z');
    const nightlyTicks = async () => (await store.schedules.lastTicks('nightly', 10)).map((t) => t.scheduledAt).reverse();
    // 02:30 does not exist on 29 March: no tick that day.
    expect(await nightlyTicks()).toEqual(['2026-03-28T01:30:00.000Z', '2026-03-30T00:30:00.000Z', '2026-03-31T00:30:00.000Z']);
    const spring = (await store.schedules.lastTicks('half-past', 100)).map((t) => t.scheduledAt);
    expect(spring).toContain('2026-03-29T00:30:00.000Z'); // 01:30 CET
    expect(spring).toContain('2026-03-29T01:30:00.000Z'); // 03:30 CEST: 02:30 was skipped
    // One an hour still: the local hour 02:00–03:00 is one the clock never shows.
    expect(spring.filter((t) => t.startsWith('2026-03-29T0'))).toHaveLength(10);

    clock.set('2026-10-24T12:00:00Z');
    await runUntil(scheduler, clock, '2026-10-26T12:00:00.000Z');
    // 02:30 happens twice on 25 October: one tick, at the first.
    expect((await nightlyTicks()).slice(-3)).toEqual(['2026-10-24T00:30:00.000Z', '2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']);
    const halfPast = (await store.schedules.lastTicks('half-past', 100)).map((t) => t.scheduledAt);
    expect(halfPast).toContain('2026-10-25T00:30:00.000Z'); // 02:30 CEST
    expect(halfPast).not.toContain('2026-10-25T01:30:00.000Z'); // 02:30 CET, the same local time again
    expect(halfPast).toContain('2026-10-25T02:30:00.000Z'); // 03:30 CET

    // Each tick is one event and one run of its reaction only.
    const events = await count(store, "SELECT COUNT(*) AS n FROM events WHERE type = 'schedule.fired'");
    expect(events).toBeGreaterThan(200);
    expect(await count(store, 'SELECT COUNT(*) AS n FROM runs')).toBe(events);
    for (const tick of await store.schedules.lastTicks('nightly', 3)) {
      const [run] = await store.db.transaction((r) =>
        r.query<{ reaction: string; event_id: string }>('SELECT reaction, event_id FROM runs WHERE id = ?', [tick.runId]),
      );
      expect(run).toEqual({ reaction: 'nightly', event_id: tick.eventId });
    }
  });

  it('fires each tick exactly once with two instances on one database, with one run each', async () => {
    const first = await open();
    // Two processes on PostgreSQL; on SQLite, where one process owns the file, two schedulers in it.
    const second = dialect === 'postgres' ? await open(database) : first;
    await apply(first, 'every-minute', { schedule: { cron: '* * * * *', catchUp: 'all' } });
    // Another reaction may listen to every tick by its event.
    await apply(first, 'audit', { event: 'schedule.fired' });
    const clock = new Clock(new Date('2026-05-04T08:00:30Z'));
    const a = new Scheduler(first, { now: clock.now });
    const b = new Scheduler(second, { now: clock.now });
    await Promise.all([a.tick(), b.tick()]);
    const fired: FiredTick[] = [];
    for (let i = 0; i < 10; i++) {
      clock.advance(MINUTE);
      const [x, y] = await Promise.all([a.tick(), b.tick()]);
      fired.push(...x, ...y);
    }
    expect(fired.map((t) => t.scheduledAt).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => new Date(Date.parse('2026-05-04T08:01:00Z') + i * MINUTE).toISOString()),
    );
    expect(await count(first, "SELECT COUNT(*) AS n FROM events WHERE type = 'schedule.fired'")).toBe(10);
    expect(await count(first, "SELECT COUNT(*) AS n FROM runs WHERE reaction = 'every-minute'")).toBe(10);
    expect(await count(first, "SELECT COUNT(*) AS n FROM runs WHERE reaction = 'audit'")).toBe(10);
  });

  it.each([
    ['latest', ['2026-06-04T09:00:00.000Z']],
    ['none', []],
    ['all', ['2026-06-02T09:00:00.000Z', '2026-06-03T09:00:00.000Z', '2026-06-04T09:00:00.000Z']],
  ])('catches up after a restart with catchUp: %s', async (catchUp, expected) => {
    const store = await open();
    await apply(store, 'morning', { schedule: { cron: '0 9 * * *', catchUp } });
    const clock = new Clock(new Date('2026-06-01T08:00:00Z'));
    const before = new Scheduler(store, { now: clock.now });
    expect(await runUntil(before, clock, '2026-06-01T10:00:00.000Z')).toEqual(['2026-06-01T09:00:00.000Z']);
    await before.stop();

    // Down for three days; a new process (a new store and scheduler) starts at 10:00 on the 4th.
    await store.close();
    stores.splice(0);
    const restarted = await open(database);
    clock.set('2026-06-04T10:00:00Z');
    const after = new Scheduler(restarted, { now: clock.now });
    expect((await after.tick()).map((t) => t.scheduledAt)).toEqual(expected);
    // Then on time again.
    clock.set('2026-06-05T09:00:00.2Z');
    expect((await after.tick()).map((t) => t.scheduledAt)).toEqual(['2026-06-05T09:00:00.000Z']);
  });

  it('catches up at most the 100 most recent ticks', async () => {
    const store = await open();
    await apply(store, 'every-minute', { schedule: { cron: '* * * * *', catchUp: 'all' } });
    const clock = new Clock(new Date('2026-06-01T00:00:00Z'));
    const scheduler = new Scheduler(store, { now: clock.now });
    await scheduler.tick();
    clock.advance(500 * MINUTE);
    const fired = (await scheduler.tick()).map((t) => t.scheduledAt);
    expect(fired).toHaveLength(100);
    expect(fired[0]).toBe('2026-06-01T06:41:00.000Z');
    expect(fired[99]).toBe('2026-06-01T08:20:00.000Z');
  });

  it('replays nothing for a newly applied or re-enabled reaction, and stops while disabled', async () => {
    const store = await open();
    const clock = new Clock(new Date('2026-06-01T00:00:30Z'));
    const scheduler = new Scheduler(store, { now: clock.now });
    await apply(store, 'every-minute', { schedule: { cron: '* * * * *', catchUp: 'all' } });
    expect(await scheduler.tick()).toEqual([]);
    clock.advance(3 * MINUTE);
    expect(await scheduler.tick()).toHaveLength(3);

    await store.reactions.setEnabled('every-minute', false);
    clock.advance(10 * MINUTE);
    expect(await scheduler.tick()).toEqual([]);
    await store.reactions.setEnabled('every-minute', true);
    expect(await scheduler.tick()).toEqual([]);
    clock.advance(MINUTE);
    expect((await scheduler.tick()).map((t) => t.scheduledAt)).toEqual(['2026-06-01T00:14:00.000Z']);

    // A changed schedule ticks by its new pattern from the next pass.
    await apply(store, 'every-minute', { schedule: { cron: '0 * * * *', catchUp: 'all' } });
    clock.advance(10 * MINUTE);
    expect(await scheduler.tick()).toEqual([]);
    clock.set('2026-06-01T01:00:00Z');
    expect((await scheduler.tick()).map((t) => t.scheduledAt)).toEqual(['2026-06-01T01:00:00.000Z']);
  });

  it('keeps running through a store outage and fires once the store answers', async () => {
    const store = await open();
    await apply(store, 'every-minute', { schedule: { cron: '* * * * *' } });
    const clock = new Clock(new Date('2026-06-01T00:00:30Z'));
    const scheduler = new Scheduler(store, { now: clock.now });
    await scheduler.tick();
    const outage = Object.assign(new Error('Connection terminated unexpectedly'), {});
    const realTransaction = store.db.transaction.bind(store.db);
    store.db.transaction = (() => Promise.reject(outage)) as typeof store.db.transaction;
    clock.advance(MINUTE);
    await expect(scheduler.tick()).rejects.toBe(outage);
    store.db.transaction = realTransaction;
    expect((await scheduler.tick()).map((t) => t.scheduledAt)).toEqual(['2026-06-01T00:01:00.000Z']);
  });
});
