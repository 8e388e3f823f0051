// A transaction's notifications wake listeners once it commits, never when it rolls back; on
// PostgreSQL they go out with the COMMIT, in one round trip, and a lazy transaction's setting
// goes with its BEGIN.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openDb } from '../src/store/database.js';
import type { Db } from '../src/store/database.js';
import type { TestDatabase } from './support/databases.js';
import { DIALECTS, freshDatabase, POSTGRES_URL } from './support/databases.js';
import { roundTrips } from './support/pg-round-trips.js';

describe.each(DIALECTS)('transaction notifications (%s)', (dialect) => {
  let database: TestDatabase;
  let db: Db;
  const heard: string[] = [];

  beforeEach(async () => {
    heard.length = 0;
    database = await freshDatabase(dialect);
    db = openDb(database.options);
    await db.migrate();
    for (const channel of ['jobs', 'events']) await db.listen(channel, () => heard.push(channel));
  });
  afterEach(async () => {
    await db.close();
    await database.drop();
  });

  it('wakes the listeners of each channel a committed transaction notified, and none for one rolled back', async () => {
    await expect(
      db.transaction(async (run) => {
        await run.notify('jobs');
        throw new Error('undone');
      }),
    ).rejects.toThrow('undone');
    const { sent } = await roundTrips(() =>
      db.transaction(async (run) => {
        await run.query('SELECT 1');
        await run.notify('jobs');
        await run.notify('events');
        await run.notify('jobs');
      }),
    );
    await vi.waitFor(() => expect(heard).toEqual(expect.arrayContaining(['jobs', 'events'])), { timeout: 5_000 });
    // The rolled-back transaction's wake-up never comes: after the committed one's, nothing more.
    await db.transaction(async (run) => run.notify('events'));
    await vi.waitFor(() => expect(heard.filter((c) => c === 'events')).toHaveLength(2), { timeout: 5_000 });
    expect(heard.filter((c) => c === 'jobs')).toHaveLength(1);
    if (dialect === 'postgres') {
      expect(sent).toEqual(['BEGIN', 'SELECT 1', "SELECT pg_notify('shipline_jobs', ''), pg_notify('shipline_events', ''); COMMIT"]);
    }
  });

  it("refuses a channel name that is not one of Shipline's, and the transaction rolls back", async () => {
    await expect(
      db.transaction(async (run) => {
        await run.query("INSERT INTO kv (scope, key, value, updated_at) VALUES ('test', 'k', 'v', '2026-01-01T00:00:00.000Z')");
        await run.notify("jobs', ''); DROP TABLE kv; --");
      }),
    ).rejects.toThrow(/not a Shipline notification channel/);
    expect(await db.transaction((run) => run.query("SELECT key FROM kv WHERE scope = 'test'"))).toEqual([]);
  });
});

describe.runIf(POSTGRES_URL)('a lazy transaction on PostgreSQL', () => {
  let database: TestDatabase;
  let db: Db;

  beforeEach(async () => {
    database = await freshDatabase('postgres');
    db = openDb(database.options);
  });
  afterEach(async () => {
    await db.close();
    await database.drop();
  });

  it("sends a lazy transaction's setting with its BEGIN", async () => {
    const { result, sent } = await roundTrips(() =>
      db.transaction((run) => run.query<{ synchronous_commit: string }>('SHOW synchronous_commit'), { lazy: true }),
    );
    expect(result[0]!.synchronous_commit).toBe('off');
    expect(sent).toEqual(['BEGIN; SET LOCAL synchronous_commit = off', 'SHOW synchronous_commit', 'COMMIT']);
  });
});
