import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { sqliteDatabaseClass } from './sqlite-driver.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Db } from './database.js';
import { openDb } from './database.js';

// The build of better-sqlite3 Shipline itself opens on this Node.
const Database = sqliteDatabaseClass();

// On SQLite a transaction commits with synchronous=NORMAL and is made durable by an fdatasync of
// the WAL on the thread pool. These pin the order that keeps a resolved transaction (a 202) as
// durable as a COMMIT that synced itself.
describe('a SQLite transaction and its WAL sync', () => {
  let dir: string;
  let db: Db;
  let syncs: Array<{ file: string; rowsSeen: number; done: (err: NodeJS.ErrnoException | null) => void }>;

  const count = () => {
    const reader = new Database(path.join(dir, 'shipline.db'), { readonly: true });
    try {
      return (reader.prepare('SELECT count(*) AS n FROM kv_probe').get() as { n: number }).n;
    } finally {
      reader.close();
    }
  };
  const fdPath = (fd: number) => fs.readlinkSync(`/proc/self/fd/${fd}`);
  const waitFor = async (what: () => boolean) => {
    const deadline = Date.now() + 5_000;
    while (!what()) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((resolve) => setImmediate(resolve));
    }
  };

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipline-walsync-'));
    db = openDb({ dataDir: dir });
    await db.transaction((run) => run.query('CREATE TABLE kv_probe (k TEXT PRIMARY KEY)'));
    syncs = [];
    // Each sync is held until the test lets it finish, and records what a reader saw when it began.
    vi.spyOn(fs, 'fdatasync').mockImplementation(((fd: number, done: (err: NodeJS.ErrnoException | null) => void) => {
      syncs.push({ file: fdPath(fd), rowsSeen: count(), done });
    }) as typeof fs.fdatasync);
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('resolves only after a sync of the WAL that began once the commit was made', async () => {
    let resolved = false;
    const tx = db.transaction((run) => run.query('INSERT INTO kv_probe (k) VALUES (?)', ['a'])).then(() => (resolved = true));
    await waitFor(() => syncs.length === 1);
    expect(syncs[0]!.file).toBe(path.join(fs.realpathSync(dir), 'shipline.db-wal'));
    expect(syncs[0]!.rowsSeen).toBe(1); // committed before the sync began
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(resolved).toBe(false);
    syncs[0]!.done(null);
    await tx;
    expect(resolved).toBe(true);
  });

  it('starts no other transaction while the sync runs, so none sees a change not yet on disk', async () => {
    const first = db.transaction((run) => run.query('INSERT INTO kv_probe (k) VALUES (?)', ['a']));
    await waitFor(() => syncs.length === 1);
    let secondRan = false;
    const second = db.transaction(async (run) => {
      secondRan = true;
      return run.query<{ n: number }>('SELECT count(*) AS n FROM kv_probe');
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(secondRan).toBe(false);
    syncs[0]!.done(null);
    await first;
    expect(await second).toEqual([{ n: 1 }]);
    expect(syncs).toHaveLength(1); // a read writes nothing to sync
  });

  it('fails the transaction when the sync fails, and syncs nothing for a lazy commit', async () => {
    const failing = db.transaction((run) => run.query('INSERT INTO kv_probe (k) VALUES (?)', ['a']));
    await waitFor(() => syncs.length === 1);
    syncs[0]!.done(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    await expect(failing).rejects.toThrow('EIO');
    await db.transaction((run) => run.query('INSERT INTO kv_probe (k) VALUES (?)', ['b']), { lazy: true });
    expect(syncs).toHaveLength(1);
  });

  // Decision 0048: the deploy ingest's batches commit while the previous batch's sync runs.
  describe('with overlapping commits', () => {
    const insert = (k: string, overlap?: () => void) =>
      db.transaction((run) => run.query('INSERT INTO kv_probe (k) VALUES (?)', [k]), overlap ? { overlap } : undefined);

    it('lets a later batch commit during the earlier sync, each answered after a sync begun after its commit', async () => {
      const order: string[] = [];
      let letGo = 0;
      const first = insert('a', () => letGo++).then(() => order.push('first'));
      await waitFor(() => syncs.length === 1);
      expect(letGo).toBe(1); // the connection was let go once COMMIT returned
      const second = insert('b', () => letGo++).then(() => order.push('second'));
      await waitFor(() => syncs.length === 2); // committed while the first sync runs
      expect(syncs[1]!.rowsSeen).toBe(2);
      // The second's own sync ending is not enough: the first's covers frames before its own.
      syncs[1]!.done(null);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(order).toEqual([]);
      syncs[0]!.done(null);
      await Promise.all([first, second]);
      expect(order).toEqual(['first', 'second']);
    });

    it('keeps every other transaction and query waiting until both syncs have ended', async () => {
      const first = insert('a', () => undefined);
      await waitFor(() => syncs.length === 1);
      const second = insert('b', () => undefined);
      await waitFor(() => syncs.length === 2);
      const seen: string[] = [];
      const plain = db.transaction(async (run) => {
        seen.push('transaction');
        return run.query<{ n: number }>('SELECT count(*) AS n FROM kv_probe');
      });
      const lazy = db.transaction(
        async (run) => {
          seen.push('lazy');
          await run.query('INSERT INTO kv_probe (k) VALUES (?)', ['c']);
        },
        { lazy: true },
      );
      // The query builder's statements take their turn too (API reads).
      const read = sql<{ n: number }>`SELECT count(*) AS n FROM kv_probe`.execute(db.kysely).then(({ rows }) => {
        seen.push('query');
        return rows;
      });
      syncs[0]!.done(null);
      await first;
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(seen).toEqual([]);
      // A later overlapping batch queues behind them: it does not jump the line.
      const third = insert('d', () => undefined);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(syncs).toHaveLength(2);
      syncs[1]!.done(null);
      await second;
      expect(await plain).toEqual([{ n: 2 }]);
      await lazy;
      expect(await read).toEqual([{ n: 3 }]);
      expect(seen).toEqual(['transaction', 'lazy', 'query']);
      await waitFor(() => syncs.length === 3);
      syncs[2]!.done(null);
      await third;
    });

    it('fails both batches when the earlier sync fails, though the later one succeeded', async () => {
      const settled: boolean[] = [];
      const overlapping = (k: string) =>
        db.transaction(
          async (run) => {
            run.onSettled((committed) => settled.push(committed));
            await run.query('INSERT INTO kv_probe (k) VALUES (?)', [k]);
          },
          { overlap: () => undefined },
        );
      const first = overlapping('a');
      await waitFor(() => syncs.length === 1);
      const second = overlapping('b');
      await waitFor(() => syncs.length === 2);
      syncs[1]!.done(null);
      syncs[0]!.done(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
      await expect(first).rejects.toThrow('EIO');
      await expect(second).rejects.toThrow('EIO');
      expect(settled).toEqual([false, false]);
    });

    it('hands on what a batch queued and wakes its listeners only after its sync', async () => {
      const heard: string[] = [];
      await db.listen('probe', () => heard.push('woken'));
      const settled: boolean[] = [];
      const tx = db.transaction(
        async (run) => {
          run.onSettled((committed) => settled.push(committed));
          await run.notify('probe');
          await run.query('INSERT INTO kv_probe (k) VALUES (?)', ['a']);
        },
        { overlap: () => undefined },
      );
      await waitFor(() => syncs.length === 1);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect({ heard, settled }).toEqual({ heard: [], settled: [] });
      syncs[0]!.done(null);
      await tx;
      expect({ heard, settled }).toEqual({ heard: ['woken'], settled: [true] });
    });
  });
});
