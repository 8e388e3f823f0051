import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDb } from './database.js';
import { sqliteDriver, sqliteDriverPath } from './sqlite-driver.js';

/** The major version of the better-sqlite3 package whose entry file is `entry`. */
function majorOf(entry: string): number {
  let dir = path.dirname(entry);
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name: string; version: string };
  expect(pkg.name).toBe('better-sqlite3');
  return Number(pkg.version.split('.')[0]);
}

describe('the SQLite driver', () => {
  it('is better-sqlite3 13 (Node-API) wherever Node-API 10 exists, and 12 only on older Node', () => {
    // 12 aborts Node 24.19–24.21 when an idle-time GC collects one of its statements.
    const expected = Number(process.versions.napi) >= 10 ? 13 : 12;
    expect(majorOf(sqliteDriverPath())).toBe(expected);
    expect(sqliteDriver()).toBe(expected === 13 ? 'better-sqlite3-napi' : 'better-sqlite3');
  });

  it('opens, writes and reads a store with the chosen build', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipline-driver-'));
    const db = openDb({ dataDir });
    try {
      await db.migrate();
      const [row] = await db.transaction((run) => run.query<{ n: number }>('SELECT count(*) AS n FROM deploys'));
      expect(Number(row!.n)).toBe(0);
    } finally {
      await db.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
