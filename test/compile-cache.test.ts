import { execFile } from 'node:child_process';
import fs from 'node:fs';
import module from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

// bin/shipline keeps V8's compiled code in dist/.compile-cache where Node has a compile cache
// (22.1+; CI runs this file on 24 and 26 too). These run the real bin/shipline in a copy of the
// package layout whose dist/cli/index.js is a stand-in, so they need no build.

const run = promisify(execFile);
const BIN = path.resolve('bin', 'shipline');
const hasCompileCache = typeof (module as { enableCompileCache?: unknown }).enableCompileCache === 'function';

/** A CLI whose main prints `word`; every version has the same length, as a rebuild of the same size would. */
const cli = (word: string) => `export function main() { process.stdout.write(${JSON.stringify(word)}); }\n`;

describe('the compile cache of bin/shipline', () => {
  let root: string;
  const cacheDir = () => path.join(root, 'dist', '.compile-cache');
  const entries = () => (fs.existsSync(cacheDir()) ? fs.readdirSync(cacheDir(), { recursive: true }).length : 0);
  const shipline = async () => {
    const env = { ...process.env };
    delete env.NODE_COMPILE_CACHE;
    delete env.NODE_DISABLE_COMPILE_CACHE;
    return (await run(process.execPath, [path.join(root, 'bin', 'shipline')], { env })).stdout;
  };

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'shipline-compile-cache-'));
    fs.mkdirSync(path.join(root, 'bin'));
    fs.mkdirSync(path.join(root, 'dist', 'cli'), { recursive: true });
    fs.copyFileSync(BIN, path.join(root, 'bin', 'shipline'));
    fs.writeFileSync(path.join(root, 'package.json'), '{"type":"module"}\n');
    fs.writeFileSync(path.join(root, 'dist', 'cli', 'index.js'), cli('first'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('runs a rebuilt CLI, not the code cached from the one before', async () => {
    expect(await shipline()).toBe('first');
    // Where Node has the cache, the first run filled it: the second run would find it.
    if (hasCompileCache) expect(entries()).toBeGreaterThan(0);
    else expect(entries()).toBe(0);
    fs.writeFileSync(path.join(root, 'dist', 'cli', 'index.js'), cli('again'));
    expect(await shipline()).toBe('again');
  });

  it('starts when the cache cannot be created', async () => {
    // A file where the cache directory should be: nothing can be written there, as on a read-only install.
    fs.writeFileSync(cacheDir(), 'not a directory');
    expect(await shipline()).toBe('first');
    expect(await shipline()).toBe('first');
  });
});
