import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { sqliteDatabaseClass } from './sqlite-driver.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Db } from './database.js';
import { openDb } from './database.js';
import { isStoreUnavailable } from './outage.js';

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

  it('fails the transaction when the sync fails, and refuses all work after it, as an outage, until the store is opened again', async () => {
    const failing = db.transaction((run) => run.query('INSERT INTO kv_probe (k) VALUES (?)', ['a']));
    await waitFor(() => syncs.length === 1);
    syncs[0]!.done(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    await expect(failing).rejects.toThrow('EIO');
    expect(isStoreUnavailable(await failing.catch((err: unknown) => err))).toBe(true);
    let ran = false;
    const later = db.transaction(async () => void (ran = true), { lazy: true });
    await expect(later).rejects.toThrow('restarted');
    expect(ran).toBe(false);
    await expect(sql`SELECT 1`.execute(db.kysely)).rejects.toThrow('restarted');
    await expect(db.ping()).rejects.toThrow('restarted');
    expect(syncs).toHaveLength(1);
  });

  it('syncs nothing for a lazy commit', async () => {
    await db.transaction((run) => run.query('INSERT INTO kv_probe (k) VALUES (?)', ['b']), { lazy: true });
    expect(syncs).toHaveLength(0);
  });
});
