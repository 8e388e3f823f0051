// The events table as migration 0014 leaves it: the source key unique through a partial index
// that events without a key never enter, and on SQLite positions without AUTOINCREMENT, guarded
// so that none is handed out twice. Existing events move across unchanged.
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb } from '../src/store/database.js';
import type { Db } from '../src/store/database.js';
import { eventsRepo } from '../src/store/events.js';
import type { TestDatabase } from './support/databases.js';
import { DIALECTS, freshDatabase, migrateTo } from './support/databases.js';

const rows = (db: Db) =>
  db.transaction((run) =>
    run.query<{ seq: number | string; id: string; type: string; source_key: string | null; data: string; subject: string | null }>(
      'SELECT seq, id, type, source_key, data, subject FROM events ORDER BY seq',
    ),
  );

describe.each(DIALECTS)('events after migration 0014 (%s)', (dialect) => {
  let database: TestDatabase;
  let db: Db;

  beforeEach(async () => {
    database = await freshDatabase(dialect);
    db = openDb(database.options);
  });
  afterEach(async () => {
    await db.close();
    await database.drop();
  });

  it('keeps every stored event, its position and its source key, and positions go on after the last', async () => {
    await migrateTo(db.kysely, dialect, '0013-step-queue');
    const before = eventsRepo(db);
    await before.append({ type: 'webhook.a', source: 'test', data: { n: 1 }, sourceKey: 'key-1' });
    await before.append({ type: 'deploy.recorded', source: 'test', data: { n: 2 } });
    await before.append({ type: 'webhook.b', source: 'test', data: { n: 3 }, sourceKey: 'key-3', subject: 'dep-3' });
    const stored = await rows(db);

    await db.migrate();
    expect(await rows(db)).toEqual(stored);
    const events = eventsRepo(db);
    // The key is still unique: a redelivery stores nothing and names the first event.
    expect(await events.receive({ type: 'webhook.a', source: 'test', data: { n: 9 }, sourceKey: 'key-1' })).toEqual({
      id: stored[0]!.id,
      duplicate: true,
    });
    const next = await events.append({ type: 'webhook.c', source: 'test', data: {} });
    expect((await events.get(next!.id)).seq).toBeGreaterThan(Number(stored[2]!.seq));
  });

  it('enters only events with a source key into the unique index on it', async () => {
    await db.migrate();
    const events = eventsRepo(db);
    await events.append({ type: 'deploy.recorded', source: 'test', data: {} });
    await events.append({ type: 'webhook.a', source: 'test', data: {}, sourceKey: 'k' });
    const plan = await db.transaction(async (run) => {
      if (dialect === 'sqlite') {
        return (await run.query<{ detail: string }>('EXPLAIN QUERY PLAN SELECT id FROM events WHERE source_key = ?', ['k']))
          .map((r) => r.detail)
          .join('\n');
      }
      await run.query('SET LOCAL enable_seqscan = off');
      return (await run.query<{ 'QUERY PLAN': string }>('EXPLAIN SELECT id FROM events WHERE source_key = $1', ['k']))
        .map((r) => r['QUERY PLAN'])
        .join('\n');
    });
    expect(plan).toContain('events_by_source_key');
    const entries = await db.transaction((run) =>
      run.query<{ n: number | string }>(
        dialect === 'sqlite'
          ? 'SELECT count(*) AS n FROM events INDEXED BY events_by_source_key WHERE source_key IS NOT NULL'
          : 'SELECT count(*) AS n FROM events WHERE source_key IS NOT NULL',
      ),
    );
    expect(Number(entries[0]!.n)).toBe(1);
  });

  it('never hands out a position twice, even when events are deleted', async () => {
    await db.migrate();
    const events = eventsRepo(db);
    const a = await events.append({ type: 'webhook.a', source: 'test', data: {} });
    const b = await events.append({ type: 'webhook.b', source: 'test', data: {} });
    const highest = (await events.get(b!.id)).seq;
    // An older event may go (retention, by hand); the newest one keeps its position taken.
    await db.transaction((run) => run.query('DELETE FROM events WHERE id = ?', [a!.id]));
    const deleteNewest = db.transaction((run) => run.query('DELETE FROM events WHERE id = ?', [b!.id]));
    if (dialect === 'sqlite') await expect(deleteNewest).rejects.toThrow(/newest event cannot be deleted/);
    else await deleteNewest; // PostgreSQL's sequence never goes back.
    const c = await events.append({ type: 'webhook.c', source: 'test', data: {} });
    expect((await events.get(c!.id)).seq).toBeGreaterThan(highest);
  });
});

describe('events after migration 0014 (sqlite, its own counter)', () => {
  it('writes no AUTOINCREMENT counter for events (one page fewer per commit)', async () => {
    const database = await freshDatabase('sqlite');
    const db = openDb(database.options);
    try {
      await db.migrate();
      await eventsRepo(db).append({ type: 'webhook.a', source: 'test', data: {} });
      const counters = await sql<{ name: string }>`SELECT name FROM sqlite_sequence`.execute(db.kysely);
      expect(counters.rows.map((r) => r.name)).not.toContain('events');
    } finally {
      await db.close();
      await database.drop();
    }
  });
});
