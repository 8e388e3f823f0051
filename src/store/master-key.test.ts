import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { loadMasterKey, MASTER_KEY_FILE } from './master-key.js';

describe('master key', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipline-key-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('uses the configured key and creates no file', () => {
    const dataDir = tempDir();
    const key = randomBytes(32);
    expect(loadMasterKey({ masterKey: key.toString('hex'), dataDir }).equals(key)).toBe(true);
    expect(fs.readdirSync(dataDir)).toEqual([]);
    expect(() => loadMasterKey({ masterKey: 'not-a-key', dataDir })).toThrow(/32 bytes/);
  });

  it('creates master.key with mode 0600 on first use and reuses it', () => {
    const dataDir = path.join(tempDir(), 'nested');
    const first = loadMasterKey({ dataDir });
    expect(first).toHaveLength(32);
    const file = path.join(dataDir, MASTER_KEY_FILE);
    if (process.platform !== 'win32') expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(loadMasterKey({ dataDir }).equals(first)).toBe(true);
    expect(loadMasterKey({ masterKey: undefined, dataDir }).equals(first)).toBe(true);
    // No temp files left behind.
    expect(fs.readdirSync(dataDir)).toEqual([MASTER_KEY_FILE]);
  });

  it('narrows a key file others can read to 0600, and names the file when it is not a key', () => {
    const dataDir = tempDir();
    const file = path.join(dataDir, MASTER_KEY_FILE);
    const key = randomBytes(32);
    fs.writeFileSync(file, key.toString('base64'), { mode: 0o644 });
    fs.chmodSync(file, 0o644);
    expect(loadMasterKey({ dataDir }).equals(key)).toBe(true);
    if (process.platform !== 'win32') expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    fs.writeFileSync(file, 'garbage');
    expect(() => loadMasterKey({ dataDir })).toThrow(new RegExp(`${MASTER_KEY_FILE}: The master key must be`));
  });

  it('gives processes starting at the same time one and the same key', async () => {
    const dataDir = tempDir();
    const module = fileURLToPath(new URL('./master-key.ts', import.meta.url));
    const script = `const { loadMasterKey } = await import(${JSON.stringify(module)}); console.log(loadMasterKey({ dataDir: ${JSON.stringify(dataDir)} }).toString('hex'));`;
    const run = () => promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]);
    const keys = (await Promise.all([run(), run(), run()])).map((r) => r.stdout.trim());
    expect(keys[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(keys).size).toBe(1);
    expect(fs.readdirSync(dataDir)).toEqual([MASTER_KEY_FILE]);
  });
});
