import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { sqliteDatabaseClass } from '../src/store/sqlite-driver.js';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDeployPayload } from '../src/core/deploy-payload.js';
import { openStore } from '../src/store/index.js';
import type { Store } from '../src/store/index.js';
import type { TestDatabase } from './support/databases.js';
import { freshDatabase } from './support/databases.js';
import { seedPayload } from './support/app.js';

// The build of better-sqlite3 Shipline itself opens on this Node.
const Database = sqliteDatabaseClass();

// A 202 promises the deploy survives a power loss, not only a crash of the process. kill -9
// cannot tell (the OS keeps what was written), so the settings that make it true are pinned here.
describe('the embedded SQLite store', () => {
  let database: TestDatabase;
  let store: Store;

  beforeAll(async () => {
    database = await freshDatabase('sqlite');
    // The checkpoint thread from the first write on (by default it waits for a 4 MiB WAL).
    store = openStore({ ...database.options, walCheckpointFromBytes: 0 });
    await store.migrate();
  });
  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  async function pragma(name: string): Promise<unknown> {
    const { rows } = await sql.raw<Record<string, unknown>>(`PRAGMA ${name}`).execute(store.db.kysely);
    return Object.values(rows[0] ?? {})[0];
  }

  it('runs in WAL mode with synchronous=FULL, also after ingesting', async () => {
    const endpoint = await store.endpoints.create('ci');
    const parsed = parseDeployPayload(seedPayload({ dedup_id: 'durable' }));
    if (!parsed.ok) throw new Error('seed payload invalid');
    expect((await store.ingest.record(endpoint.id, parsed.input)).result).toBe('no_service_found');
    expect(await pragma('journal_mode')).toBe('wal');
    expect(await pragma('synchronous')).toBe(2); // 2 = FULL: the WAL is fsynced at every commit
  });

  it('commits even the first transaction of a process under NORMAL (synced by the store), and is FULL outside it', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipline-first-transaction-'));
    const fresh = openStore({ dataDir });
    try {
      // No migrate() first: its own pragmas would hide a first transaction left under FULL.
      const [inside] = await fresh.db.transaction((run) => run.query<{ synchronous: number }>('PRAGMA synchronous'));
      expect(inside?.synchronous).toBe(1); // 1 = NORMAL: the store syncs the WAL itself, off the event loop
      const { rows } = await sql.raw<{ synchronous: number }>('PRAGMA synchronous').execute(fresh.db.kysely);
      expect(rows[0]?.synchronous).toBe(2);
    } finally {
      await fresh.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('keeps statement journals and temporary tables in memory (temp_store=MEMORY)', async () => {
    expect(await pragma('temp_store')).toBe(2); // 2 = MEMORY
  });

  it('bounds its page cache at 8 MiB (cache_size), which a busy server grows into', async () => {
    expect(await pragma('cache_size')).toBe(-8192); // negative: KiB, not pages
  });

  it('copies committed pages into the database file from a thread of its own, long before the WAL fills', async () => {
    const endpoint = await store.endpoints.create('checkpointed');
    const inputs = Array.from({ length: 60 }, (_, i) => {
      const parsed = parseDeployPayload(seedPayload({ dedup_id: `checkpointed-${i}` }));
      if (!parsed.ok) throw new Error('seed payload invalid');
      return parsed.input;
    });
    await Promise.all(inputs.map((input) => store.ingest.record(endpoint.id, input)));
    // Far below the writer's own threshold (10,000 frames), so only the background thread copies.
    // Two runs later, one of them started after the last commit.
    const runsBefore = store.db.walCheckpoints!().runs;
    const done = (s: { runs: number; log: number; copied: number }) => s.runs >= runsBefore + 2 && s.log > 0 && s.copied === s.log;
    const deadline = Date.now() + 10_000;
    let stats = store.db.walCheckpoints!();
    while (!done(stats) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      stats = store.db.walCheckpoints!();
    }
    expect(stats.log).toBeGreaterThan(0);
    expect(stats.log).toBeLessThan(10_000);
    expect(stats.copied).toBe(stats.log);

    // The database file alone, without its WAL, already holds every one of them.
    const copyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipline-db-file-'));
    try {
      fs.copyFileSync(path.join(database.options.dataDir, 'shipline.db'), path.join(copyDir, 'shipline.db'));
      const copy = new Database(path.join(copyDir, 'shipline.db'));
      try {
        const row = copy.prepare("SELECT count(*) AS n FROM deploys WHERE dedup_id LIKE 'checkpointed-%'").get() as { n: number };
        expect(row.n).toBe(60);
      } finally {
        copy.close();
      }
    } finally {
      fs.rmSync(copyDir, { recursive: true, force: true });
    }
  });

  it('does not keep a process alive with its checkpoint thread: a script that never closes the store exits', async () => {
    const storeModule = pathToFileURL(fileURLToPath(new URL('../dist/store/index.js', import.meta.url))).href;
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipline-unclosed-'));
    try {
      // A module file: run with `-e`, the same script exited even while the thread held the process.
      const script = path.join(dataDir, 'unclosed.mjs');
      fs.writeFileSync(
        script,
        [
          `import { openStore } from ${JSON.stringify(storeModule)};`,
          `const store = openStore({ dataDir: ${JSON.stringify(dataDir)}, walCheckpointFromBytes: 0 });`,
          'await store.migrate();',
          // A write, so that the thread starts (it waits for the first commit that wrote).
          "await store.db.transaction((run) => run.query('CREATE TABLE unclosed_probe (x INTEGER)'));",
          'console.log(JSON.stringify(store.db.walCheckpoints()));',
        ].join('\n'),
      );
      // A thread that held the process would run into the timeout, which kills it and fails here.
      const { stdout, stderr } = await promisify(execFile)(process.execPath, [script], { timeout: 20_000 });
      expect(stderr).toBe('');
      expect(JSON.parse(stdout)).toMatchObject({ started: true });
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
