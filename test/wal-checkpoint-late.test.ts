import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseDeployPayload } from '../src/core/deploy-payload.js';
import { openStore } from '../src/store/index.js';
import type { Store } from '../src/store/index.js';
import { sqliteDatabaseClass } from '../src/store/sqlite-driver.js';
import type { CheckpointerTiming } from '../src/store/wal-checkpointer.js';
import { startWalCheckpointer } from '../src/store/wal-checkpointer.js';
import { seedPayload } from './support/app.js';

// The background checkpointer's thread starts on first need (decision 0043): a store that only
// migrated, or took a few deploys, has no second V8 isolate; one whose WAL has grown starts it,
// and the thread's first runs copy every frame committed before it existed.
describe('the SQLite checkpoint thread, started late', () => {
  const opened: { store: Store; dataDir: string }[] = [];
  afterEach(async () => {
    for (const { store, dataDir } of opened.splice(0)) {
      await store.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  async function open(walCheckpointFromBytes?: number): Promise<{ store: Store; dataDir: string }> {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipline-late-checkpoint-'));
    // Migrated and closed first: the migrations leave about 1 MiB of WAL, which the last
    // connection's close checkpoints and removes, so the store below starts from an empty one.
    const migrating = openStore({ dataDir });
    await migrating.migrate();
    await migrating.close();
    const store = openStore({ dataDir, walCheckpointFromBytes });
    opened.push({ store, dataDir });
    await store.migrate();
    return { store, dataDir };
  }

  async function ingest(store: Store, prefix: string, count: number): Promise<void> {
    const endpoint = await store.endpoints.create(prefix);
    const inputs = Array.from({ length: count }, (_, i) => {
      const parsed = parseDeployPayload(seedPayload({ dedup_id: `${prefix}-${i}` }));
      if (!parsed.ok) throw new Error('seed payload invalid');
      return parsed.input;
    });
    await Promise.all(inputs.map((input) => store.ingest.record(endpoint.id, input)));
  }

  const walBytes = (dataDir: string) => {
    const file = path.join(dataDir, 'shipline.db-wal');
    return fs.existsSync(file) ? fs.statSync(file).size : 0;
  };

  it('does not start with the default threshold for a store that migrated and took a few deploys', async () => {
    const { store, dataDir } = await open();
    await ingest(store, 'few', 5);
    expect(walBytes(dataDir)).toBeGreaterThan(0);
    expect(walBytes(dataDir)).toBeLessThan(4 * 1024 * 1024);
    expect(store.db.walCheckpoints!()).toEqual({ started: false, runs: 0, log: 0, copied: 0 });
  });

  it('starts once the WAL reaches its threshold and copies every frame committed before it started', async () => {
    const threshold = 256 * 1024;
    const { store, dataDir } = await open(threshold);
    expect(walBytes(dataDir)).toBeLessThan(threshold);
    let rounds = 0;
    while (walBytes(dataDir) < threshold) {
      expect(store.db.walCheckpoints!().started).toBe(false);
      await ingest(store, `late-${rounds++}`, 50);
    }
    // The commit that grew the WAL past the threshold started the thread; nothing committed since.
    expect(store.db.walCheckpoints!().started).toBe(true);

    const deadline = Date.now() + 10_000;
    let stats = store.db.walCheckpoints!();
    while (!(stats.runs >= 1 && stats.log > 0 && stats.copied === stats.log) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      stats = store.db.walCheckpoints!();
    }
    // Every frame of the WAL, all written before the thread existed, is in the database file.
    expect(stats.log * 4096).toBeGreaterThanOrEqual(threshold - 4096);
    expect(stats.log).toBeLessThan(10_000); // below the writer's own checkpoint
    expect(stats.copied).toBe(stats.log);

    const copyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipline-late-copy-'));
    try {
      fs.copyFileSync(path.join(dataDir, 'shipline.db'), path.join(copyDir, 'shipline.db'));
      const Database = sqliteDatabaseClass();
      const copy = new Database(path.join(copyDir, 'shipline.db'));
      try {
        const row = copy.prepare("SELECT count(*) AS n FROM deploys WHERE dedup_id LIKE 'late-%'").get() as { n: number };
        expect(row.n).toBe(rounds * 50);
      } finally {
        copy.close();
      }
    } finally {
      fs.rmSync(copyDir, { recursive: true, force: true });
    }
  });

  it('never throws from the commit it follows: a thread that cannot start is reported once and not tried again', async () => {
    const warnings: string[] = [];
    // A timing the thread's data cannot carry makes the Worker constructor throw at once.
    const unclonable = { busyMs: 100, idleMs: 250, poison: () => 0 } as unknown as CheckpointerTiming;
    const checkpointer = startWalCheckpointer(path.join(os.tmpdir(), 'shipline-no-such.db'), (m) => warnings.push(m), unclonable, 0);
    expect(() => checkpointer.committed(1)).not.toThrow();
    expect(() => checkpointer.committed(1)).not.toThrow();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^the checkpoint thread did not start: /);
    expect(checkpointer.stats().started).toBe(false);
    await checkpointer.stop();
  });
});
