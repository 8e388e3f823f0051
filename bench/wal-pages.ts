// Where the bytes of a SQLite ingest go. Loads a built Shipline with the ingest benchmark's wrk
// script (50 connections), then reads the WAL it left frame by frame (bench/support/wal-frames.ts):
// how many deploys a commit holds, how many 4 KiB frames each commit writes and to which B-trees
// they belong (each page mapped to its tree with `dbstat` on a copy of the database), how many
// distinct pages a checkpoint interval changes (what the background checkpointer copies into the
// database file), and the bytes the process wrote (/proc/<pid>/io) against that estimate.
//
//   node --import tsx bench/wal-pages.ts [--seconds 6] [--warmup 3] [--connections 50] [--root <built checkout>]
//
// The WAL holds the commits since SQLite last started it over (every ~10,000 frames), so the
// sample is the last few dozen to hundreds of commits of the load.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer } from '../test/support/server-process.js';
import { Cleanup } from './support/cleanup.js';
import { loadAverage, processCpuUs, processWriteBytes } from './support/proc.js';
import { analyseWal, describeWal } from './support/wal-frames.js';
import { ensureWrk, runWrk } from './support/wrk.js';

/** How often the background checkpointer looks under load (src/store/wal-checkpointer.ts). */
const CHECKPOINT_MS = 100;

interface Options {
  seconds: number;
  warmup: number;
  connections: number;
  root: string | undefined;
}

const USAGE = 'usage: bench/wal-pages.ts [--seconds <n>] [--warmup <n>] [--connections <n>] [--root <built checkout>]';

function parseArgs(argv: readonly string[]): Options {
  const options: Options = { seconds: 6, warmup: 3, connections: 50, root: undefined };
  for (let i = 0; i < argv.length; i++) {
    const match = /^--(seconds|warmup|connections|root)$/.exec(argv[i]!);
    const value = argv[++i];
    if (!match || value === undefined) throw new Error(USAGE);
    if (match[1] === 'root') options.root = value;
    else options[match[1] as 'seconds' | 'warmup' | 'connections'] = Number(value);
  }
  return options;
}

const cleanup = new Cleanup();

async function adminPost(url: string, token: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`POST ${url} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  ensureWrk();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipline-wal-pages-'));
  cleanup.add(`temp dir ${dataDir}`, () => fs.rmSync(dataDir, { recursive: true, force: true }));
  const adminToken = randomBytes(30).toString('base64url');
  const server = await startServer({ name: 'Shipline', dataDir, adminToken, readyTimeoutMs: 30_000, root: options.root });
  cleanup.add('Shipline', () => server.stop().then(() => undefined));
  const endpoint = await adminPost(`${server.url}/api/v1/deploy-endpoints`, adminToken, { name: 'bench' });
  await adminPost(`${server.url}/api/v1/services`, adminToken, { name: 'checkout' });
  const url = `${server.url}/integrations/deploy/${String(endpoint.id)}`;
  const prefix = `walpages-${randomBytes(4).toString('hex')}`;
  console.log(`load average before: ${loadAverage()}; build: ${options.root ?? 'this checkout'}`);
  if (options.warmup > 0)
    await runWrk({ url, seconds: options.warmup, connections: options.connections, threads: 1, idPrefix: `${prefix}-w` });

  const io0 = processWriteBytes(server.pid)!;
  const cpu0 = processCpuUs(server.pid)!;
  const wrk = await runWrk({ url, seconds: options.seconds, connections: options.connections, threads: 1, idPrefix: `${prefix}-m` });
  const written = processWriteBytes(server.pid)! - io0;
  const cpuUs = processCpuUs(server.pid)! - cpu0;
  const deploys = wrk.requests - wrk.non2xx;

  // Idle long enough for the background checkpointer to copy every frame.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const report = analyseWal(path.join(dataDir, 'shipline.db'), path.join(dataDir, 'copy'));
  const commitsPerSecond = deploys / wrk.seconds / Math.max(report.deploysPerCommit.mean, 1);
  const perCheckpoint = Math.max(1, Math.round((commitsPerSecond * CHECKPOINT_MS) / 1000));
  console.log(
    `\n${deploys} deploys in ${wrk.seconds.toFixed(1)} s (${Math.round(deploys / wrk.seconds)}/s), ` +
      `${(cpuUs / Math.max(1, wrk.requests)).toFixed(1)} CPU µs/request, measured ${Math.round(written / Math.max(1, deploys))} B written per deploy (/proc)`,
  );
  for (const line of describeWal(report, perCheckpoint)) console.log(line);
  console.log(`load average after: ${loadAverage()}`);
}

try {
  await main();
} catch (err) {
  console.error(err instanceof Error ? err.stack : String(err));
  process.exitCode = 1;
} finally {
  await cleanup.all();
}
