import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_MEMORY_REDUCING_COLLECTION } from '../src/idle-memory.js';
import { programLaunch, startServer } from './support/server-process.js';
import type { ServerProcess } from './support/server-process.js';

// bin/shipline run as a program (./bin/shipline start, `shipline` once installed, npm start, npm run demo) runs
// Node with V8's young generation capped (docs/decisions/0051) and its memory reducer off (0052);
// `node bin/shipline` keeps Node's own defaults, so an operator can pick others. As a program it also
// holds glibc's malloc to 2 arenas unless MALLOC_ARENA_MAX is set already (decision 0063).
const FLAGS = ['--max-semi-space-size=16', '--no-memory-reducer'];
const ARENAS = 'MALLOC_ARENA_MAX';
const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The server's own command line, as the kernel holds it. */
function commandLine(pid: number): string[] {
  return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
}

/** One variable of the environment the server was started with, as the kernel holds it. */
function startEnv(pid: number, name: string): string | undefined {
  const entry = fs
    .readFileSync(`/proc/${pid}/environ`, 'utf8')
    .split('\0')
    .find((item) => item.startsWith(`${name}=`));
  return entry?.slice(name.length + 1);
}

describe.each([
  { how: 'as a program', asProgram: true, capped: true, given: undefined, arenas: '2' },
  { how: 'as a program, MALLOC_ARENA_MAX given', asProgram: true, capped: true, given: '4', arenas: '4' },
  { how: 'through node', asProgram: false, capped: false, given: undefined, arenas: undefined },
])('bin/shipline start $how', ({ asProgram, capped, given, arenas }) => {
  let dataDir: string;
  let server: ServerProcess;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipline-bin-'));
    // The variable is removed unless given, so one set where the tests run cannot pass for bin/shipline's.
    server = await startServer({ dataDir, adminToken: 'a'.repeat(40), asProgram, env: { [ARENAS]: given } });
  });
  afterAll(async () => {
    await server?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it(`serves, with the server's pid the one started, and ${capped ? "the young generation capped and glibc's malloc arenas held" : "Node's and glibc's defaults"}`, async () => {
    const args = commandLine(server.pid);
    // sh exec'd Node in place: the pid a supervisor signals is the server's own.
    expect(path.basename(args[0]!)).toBe('node');
    expect(args.slice(-2)).toEqual([expect.stringMatching(/bin\/shipline$/), 'start']);
    // The benchmark's profiled start passes the same flags to node itself (`--cpu-prof` is refused
    // in NODE_OPTIONS), read from bin/shipline by programLaunch.
    if (capped) {
      expect(args).toEqual(expect.arrayContaining(FLAGS));
      expect(programLaunch(ROOT)).toEqual({ flags: FLAGS, envDefaults: { [ARENAS]: '2' } });
    } else {
      expect(args.some((arg) => arg.startsWith('--max-semi-space-size') || arg === '--no-memory-reducer')).toBe(false);
    }
    // The operator's own value wins; `node bin/shipline` leaves glibc's default.
    expect(startEnv(server.pid, ARENAS)).toBe(arenas);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  });
});

describe('npm start and npm run demo', () => {
  it('run bin/shipline as a program, so the same Node flags apply', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toMatch(/(^|&& )\.\/bin\/shipline start$/);
    expect(pkg.scripts.demo).toMatch(/(^|&& )\.\/bin\/shipline demo$/);
  });
});

describe('a started server', () => {
  let dataDir: string;
  let server: ServerProcess;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipline-quiet-'));
    server = await startServer({ dataDir, adminToken: 'a'.repeat(40), asProgram: true, env: { SHIPLINE_LOG_LEVEL: 'debug' } });
  });
  afterAll(async () => {
    await server?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('gives back what its start grew once it is quiet, where V8 can (docs/decisions/0052), and keeps serving', async () => {
    const returned = () =>
      server
        .output()
        .split('\n')
        .filter((line) => line.includes('returned memory after a quiet interval'))
        .map((line) => JSON.parse(line) as { rssBeforeMiB: number; rssAfterMiB: number; ms: number });
    // V8 11 (Node 20) has no memory-reducing collection to run.
    if (HAS_MEMORY_REDUCING_COLLECTION) {
      await expect.poll(() => returned().length, { timeout: 15_000 }).toBe(1);
      const [entry] = returned();
      // The start's young generation alone is ~14 MB on Node 26.
      expect(entry!.rssAfterMiB).toBeLessThan(entry!.rssBeforeMiB);
    }
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  });
});
