// Start and memory benchmark: how long `shipline start` takes to answer GET /readyz, and how
// much memory it holds idle and after ingesting deploys, against a bare Fastify server started
// the same way (the floor: Node and Fastify alone).
//
//   npm run bench:start [-- --runs 5 --deploys 100000 --settle 35 --baseline <checkout> --cpu-prof <dir> --heap-snapshot --json out.json]
//
// Each run spawns `bin/shipline start` as a program (the compiled CLI, as `npm start` does, with
// this Node first on PATH, so the Node flags of bin/shipline's first lines apply) on a fresh
// SQLite data dir and a free port on 127.0.0.1, and times spawn → first 200 from /readyz
// (polled every 5 ms; /readyz answers once the store does) and the CPU time the process used by
// then (all threads, /proc/<pid>/stat), which a busy machine inflates far less than the wall time. Runs alternate with the bare server.
// After 2 s idle it reads VmRSS and VmHWM from /proc/<pid>/status; then it posts --deploys
// deploys through the webhook (32 keep-alive connections) and reads them again after 2 s, and with
// --settle <s> once more s seconds later (Shipline gives a burst's memory back once it has been
// quiet for 30 s, docs/decisions/0052; the targets are judged on the 2 s reading). Shipline
// is then started once more on the same data dir (migrated, holding the deploys): the restart.
// --baseline <checkout> adds another build's Shipline (its own `npm run build` done) to the same
// alternating rounds, so a change is compared with what it changes in one run on one machine load.
// --cpu-prof <dir> and --heap-snapshot add one diagnostic start after the measured ones (so the
// profiler's overhead is in none of them): the top functions and modules by self time until
// ready, and a heap snapshot taken after 2 s idle (its size and largest constructors).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { nodeFirstOnPath, programLaunch, shiplineEnv } from '../test/support/server-process.js';
import { Cleanup } from './support/cleanup.js';
import { loadAverage, processCpuUs, processMemory } from './support/proc.js';
import { summarizeCpuProfile, summarizeHeapSnapshot } from './support/profiles.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MiB = 1024 * 1024;
const TARGETS = { startMs: 500, idleMiB: 100, afterDeploysMiB: 150 } as const;

interface Options {
  runs: number;
  deploys: number;
  cpuProf: string | undefined;
  heapSnapshot: boolean;
  json: string | undefined;
  /** Another checkout whose built bin/shipline runs in the same rounds. */
  baseline: string | undefined;
  /** Seconds after the deploys' 2 s reading to read RSS once more (0: not read). */
  settle: number;
}

const USAGE =
  'usage: npm run bench:start -- [--runs <n>] [--deploys <n>] [--settle <s>] [--baseline <checkout>] [--cpu-prof <dir>] [--heap-snapshot] [--json <file>]';

function parseArgs(argv: readonly string[]): Options {
  const options: Options = {
    runs: 5,
    deploys: 100_000,
    cpuProf: undefined,
    heapSnapshot: false,
    json: undefined,
    baseline: undefined,
    settle: 0,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    }
    if (arg === '--heap-snapshot') {
      options.heapSnapshot = true;
      continue;
    }
    const match = /^--(runs|deploys|settle|cpu-prof|json|baseline)(?:=(.*))?$/.exec(arg);
    if (!match) throw new Error(`unknown argument '${arg}'\n${USAGE}`);
    const raw = match[2] ?? argv[++i];
    if (raw === undefined) throw new Error(`--${match[1]} needs a value\n${USAGE}`);
    if (match[1] === 'cpu-prof') options.cpuProf = path.resolve(raw);
    else if (match[1] === 'baseline') options.baseline = path.resolve(raw);
    else if (match[1] === 'json') options.json = raw;
    else {
      const value = Number(raw);
      const [min, max] = match[1] === 'runs' ? [1, 100] : match[1] === 'settle' ? [0, 600] : [0, 10_000_000];
      if (!Number.isInteger(value) || value < min || value > max)
        throw new Error(`--${match[1]} needs a whole number from ${min} to ${max}\n${USAGE}`);
      if (match[1] === 'runs') options.runs = value;
      else if (match[1] === 'settle') options.settle = value;
      else options.deploys = value;
    }
  }
  return options;
}

const cleanup = new Cleanup();

// The floor: Fastify with the same route and a /readyz, as plain JavaScript so no TypeScript
// loader is timed. Run with cwd at the repository so `fastify` resolves from its node_modules.
const BARE = `
import Fastify from 'fastify';
const app = Fastify({ logger: false });
app.get('/readyz', async () => ({ status: 'ok' }));
app.post('/integrations/deploy/:id', async (_request, reply) => reply.status(202).send({ result: 'ok' }));
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

interface Started {
  pid: number;
  base: string;
  /** process.hrtime in µs when /readyz first answered 200. */
  readyAtUs: number;
  startMs: number;
  /** CPU time (all threads) the process used until ready: less sensitive to a busy machine than startMs. */
  cpuMs: number;
  exited: Promise<number | null>;
  stop(): Promise<number | null>;
  output(): string;
}

/**
 * Spawns `command <args>` (default this Node) and polls /readyz until it answers 200; the child is
 * stopped by its own pid (a program that is a shell script `exec`s Node, keeping its pid).
 */
async function startTimed(
  name: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  port: number,
  command = process.execPath,
): Promise<Started> {
  const t0 = process.hrtime.bigint();
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const append = (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-16_384));
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve((exitCode = code))));
  const stop = async () => {
    if (exitCode === undefined) child.kill('SIGTERM');
    const timer = setTimeout(() => exitCode === undefined && child.kill('SIGKILL'), 15_000);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  cleanup.add(name, () => stop().then(() => undefined));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exitCode !== undefined) throw new Error(`${name} exited during start (code ${exitCode}):\n${output}`);
    if (Date.now() > deadline) throw new Error(`${name}: /readyz not 200 after 60 s:\n${output}`);
    const ok = await fetch(`${base}/readyz`).then(
      (res) => res.body?.cancel().then(() => res.status === 200) ?? res.status === 200,
      () => false,
    );
    if (ok) break;
    await sleep(5);
  }
  const readyAt = process.hrtime.bigint();
  const cpuUs = processCpuUs(child.pid!);
  if (cpuUs === undefined) throw new Error(`${name}: no /proc/${child.pid}/stat`);
  return {
    cpuMs: cpuUs / 1000,
    pid: child.pid!,
    base,
    readyAtUs: Number(readyAt / 1000n),
    startMs: Number(readyAt - t0) / 1e6,
    exited,
    stop,
    output: () => output,
  };
}

/**
 * Starts the Shipline of `checkout` (default this one) on `dataDir`: as a program, or, with
 * `nodeFlags` (the diagnostic start's profiler, which NODE_OPTIONS refuses), as `node <the
 * program's own flags> <nodeFlags> bin/shipline start`.
 */
async function startShipline(dataDir: string, nodeFlags: string[], checkout = ROOT): Promise<{ started: Started; adminToken: string }> {
  const port = await freePort();
  const adminToken = randomBytes(30).toString('base64url');
  const env = shiplineEnv({
    SHIPLINE_PORT: String(port),
    SHIPLINE_HOST: '127.0.0.1',
    SHIPLINE_DATA_DIR: dataDir,
    SHIPLINE_ADMIN_TOKEN: adminToken,
    SHIPLINE_LOG_LEVEL: 'warn',
    PATH: nodeFirstOnPath(),
  });
  const bin = path.join(checkout, 'bin', 'shipline');
  // cwd is the data dir: a heap snapshot lands there.
  let started: Started;
  if (nodeFlags.length > 0) {
    // node itself, with what bin/shipline's sh line would have given it.
    const launch = programLaunch(checkout);
    const launchEnv = { ...launch.envDefaults, ...env };
    started = await startTimed('Shipline', [...launch.flags, ...nodeFlags, bin, 'start'], launchEnv, dataDir, port);
  } else {
    started = await startTimed('Shipline', ['start'], env, dataDir, port, bin);
  }
  return { started, adminToken };
}

async function startBare(): Promise<Started> {
  const port = await freePort();
  return startTimed('bare Fastify', ['--input-type=module', '-e', BARE], { ...process.env, PORT: String(port) }, ROOT, port);
}

async function adminPost(base: string, token: string, urlPath: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${base}${urlPath}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`POST ${urlPath} answered ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** Posts `count` deploys with unique dedup ids over 32 keep-alive connections; returns deploys/s. */
async function postDeploys(base: string, urlPath: string, count: number, prefix: string): Promise<number> {
  const pool = new Pool(base, { connections: 32 });
  let next = 0;
  let bad = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const res = await pool.request({
        method: 'POST',
        path: urlPath,
        headers: { 'content-type': 'application/json' },
        body:
          `{"service":"checkout","description":"Deployed by CI","deployed_at":"${new Date().toISOString()}",` +
          `"environment":"Production","deployer":{"email":"ci@example.com","name":"CI"},"dedup_id":"${prefix}-${i}"}`,
      });
      await res.body.dump();
      if (res.statusCode !== 202) bad++;
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  await pool.close();
  if (bad > 0) throw new Error(`${bad} of ${count} deploys were not answered 202`);
  return count / ((performance.now() - t0) / 1000);
}

interface RunResult {
  startMs: number;
  cpuMs: number;
  /** Shipline only: a second start on the same data dir, migrated and holding the deploys. */
  restartMs: number | undefined;
  restartCpuMs: number | undefined;
  idleRssMiB: number;
  idleHwmMiB: number;
  afterRssMiB: number | undefined;
  afterHwmMiB: number | undefined;
  /** With --settle: RSS once the process has been quiet that much longer after the deploys. */
  settledRssMiB: number | undefined;
  deploysPerSec: number | undefined;
}

function memoryMiB(pid: number): { rss: number; hwm: number } {
  const m = processMemory(pid);
  if (!m) throw new Error(`no /proc/${pid}/status`);
  return { rss: m.rss / MiB, hwm: m.hwm / MiB };
}

type Kind = 'shipline' | 'baseline' | 'bare';

async function measureRun(kind: Kind, options: Options, runId: string, run: number): Promise<RunResult> {
  const checkout = kind === 'baseline' ? options.baseline! : ROOT;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipline-start-'));
  try {
    let started: Started;
    let urlPath = '/integrations/deploy/bench';
    let adminToken = '';
    if (kind !== 'bare') ({ started, adminToken } = await startShipline(dataDir, [], checkout));
    else started = await startBare();
    await sleep(2000);
    const idle = memoryMiB(started.pid);
    const result: RunResult = {
      startMs: started.startMs,
      cpuMs: started.cpuMs,
      restartMs: undefined,
      restartCpuMs: undefined,
      idleRssMiB: idle.rss,
      idleHwmMiB: idle.hwm,
      afterRssMiB: undefined,
      afterHwmMiB: undefined,
      settledRssMiB: undefined,
      deploysPerSec: undefined,
    };
    if (options.deploys > 0) {
      if (kind !== 'bare') {
        const endpoint = await adminPost(started.base, adminToken, '/api/v1/deploy-endpoints', { name: 'bench' });
        await adminPost(started.base, adminToken, '/api/v1/services', { name: 'checkout' });
        urlPath = `/integrations/deploy/${String(endpoint.id)}`;
      }
      result.deploysPerSec = await postDeploys(started.base, urlPath, options.deploys, `${runId}-${kind}-${run}`);
      await sleep(2000);
      const after = memoryMiB(started.pid);
      result.afterRssMiB = after.rss;
      result.afterHwmMiB = after.hwm;
      if (options.settle > 0) {
        await sleep(options.settle * 1000);
        result.settledRssMiB = memoryMiB(started.pid).rss;
      }
    }
    const code = await started.stop();
    if (code !== 0) throw new Error(`${kind} exited with code ${code} on SIGTERM:\n${started.output()}`);
    if (kind !== 'bare') {
      const again = (await startShipline(dataDir, [], checkout)).started;
      result.restartMs = again.startMs;
      result.restartCpuMs = again.cpuMs;
      const code2 = await again.stop();
      if (code2 !== 0) throw new Error(`Shipline exited with code ${code2} on SIGTERM after a restart:\n${again.output()}`);
    }
    return result;
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** One more Shipline start under the profiler and/or with a heap snapshot after 2 s idle. */
async function diagnose(options: Options): Promise<Record<string, unknown>> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipline-start-'));
  try {
    const flags: string[] = [];
    if (options.cpuProf) {
      fs.mkdirSync(options.cpuProf, { recursive: true });
      flags.push('--cpu-prof', `--cpu-prof-dir=${options.cpuProf}`);
    }
    if (options.heapSnapshot) flags.push('--heapsnapshot-signal=SIGUSR2');
    const before = new Set(options.cpuProf ? fs.readdirSync(options.cpuProf) : []);
    const { started } = await startShipline(dataDir, flags);
    console.log(
      `\ndiagnostic start (${flags.join(' ')}): ready in ${started.startMs.toFixed(0)} ms (the diagnostic flags' overhead included)`,
    );
    const out: Record<string, unknown> = { startMs: started.startMs };
    if (options.heapSnapshot) {
      await sleep(2000);
      process.kill(started.pid, 'SIGUSR2');
      const file = await waitForSnapshot(dataDir);
      const bytes = fs.statSync(file).size;
      const kept = path.join(options.cpuProf ?? os.tmpdir(), path.basename(file));
      fs.copyFileSync(file, kept);
      const { totalBytes, top } = summarizeHeapSnapshot(file, 12);
      console.log(
        `heap snapshot after 2 s idle: ${(totalBytes / MiB).toFixed(1)} MiB of objects (${(bytes / MiB).toFixed(1)} MiB on disk, kept as ${kept}); largest by self size:`,
      );
      for (const t of top) console.log(`  ${(t.bytes / MiB).toFixed(2).padStart(7)} MiB ${String(t.count).padStart(8)} × ${t.name}`);
      out.heapSnapshot = { file: kept, bytes, totalBytes, top };
    }
    const code = await started.stop();
    if (code !== 0) throw new Error(`Shipline exited with code ${code} under the profiler:\n${started.output()}`);
    if (options.cpuProf) {
      const file = fs.readdirSync(options.cpuProf).find((f) => f.endsWith('.cpuprofile') && !before.has(f));
      if (!file) throw new Error(`no new .cpuprofile in ${options.cpuProf}`);
      const profile = summarizeCpuProfile(path.join(options.cpuProf, file), started.readyAtUs, 15);
      console.log(`CPU profile ${path.join(options.cpuProf, file)}: ${profile.totalMs.toFixed(0)} ms sampled until ready`);
      console.log('  top functions by self time until ready:');
      for (const f of profile.functions) console.log(`  ${f.ms.toFixed(1).padStart(7)} ms  ${f.name}`);
      console.log('  top modules by self time until ready (loading and running their code):');
      for (const m of profile.modules) console.log(`  ${m.ms.toFixed(1).padStart(7)} ms  ${m.name}`);
      out.cpuProfile = { file: path.join(options.cpuProf, file), ...profile };
    }
    return out;
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Node writes Heap.<date>.<pid>...heapsnapshot into the child's cwd; done once its size stops changing. */
async function waitForSnapshot(dir: string): Promise<string> {
  const deadline = Date.now() + 120_000;
  let last = -1;
  while (Date.now() < deadline) {
    const name = fs.readdirSync(dir).find((f) => f.endsWith('.heapsnapshot'));
    if (name) {
      const size = fs.statSync(path.join(dir, name)).size;
      if (size > 0 && size === last) return path.join(dir, name);
      last = size;
    }
    await sleep(500);
  }
  throw new Error('no heap snapshot within 120 s');
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function row(name: string, runs: readonly RunResult[], settled: boolean): string {
  const cell = (pick: (r: RunResult) => number | undefined, digits: number) => {
    const values = runs.map(pick).filter((v): v is number => v !== undefined);
    if (values.length === 0) return '-';
    return `${median(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)})`;
  };
  return `| ${name} | ${cell((r) => r.startMs, 0)} | ${cell((r) => r.cpuMs, 0)} | ${cell((r) => r.restartMs, 0)} | ${cell((r) => r.restartCpuMs, 0)} | ${cell((r) => r.idleRssMiB, 1)} | ${cell((r) => r.afterRssMiB, 1)} | ${cell((r) => r.afterHwmMiB, 1)} |${settled ? ` ${cell((r) => r.settledRssMiB, 1)} |` : ''} ${cell((r) => r.deploysPerSec, 0)} |`;
}

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(path.join(ROOT, 'dist', 'cli', 'index.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  const runId = randomBytes(4).toString('hex');
  const loadBefore = loadAverage();
  console.log(
    `Start benchmark: ${options.runs} runs each, alternating Shipline (SQLite)${options.baseline ? `, the baseline at ${options.baseline}` : ''} and bare Fastify; ${options.deploys} deploys per run`,
  );
  const shipline: RunResult[] = [];
  const bare: RunResult[] = [];
  const baseline: RunResult[] = [];
  const kinds: [Kind, RunResult[]][] = [
    ['shipline', shipline],
    ...(options.baseline ? [['baseline', baseline] as [Kind, RunResult[]]] : []),
    ['bare', bare],
  ];
  for (let run = 1; run <= options.runs; run++) {
    for (const [kind, results] of kinds) {
      const r = await measureRun(kind, options, runId, run);
      results.push(r);
      console.log(
        `  run ${run} ${kind.padEnd(8)} ready ${r.startMs.toFixed(0).padStart(5)} ms (CPU ${r.cpuMs.toFixed(0)} ms), idle RSS ${r.idleRssMiB.toFixed(1)} MiB` +
          (r.afterRssMiB === undefined
            ? ''
            : `, after ${options.deploys} deploys (${r.deploysPerSec!.toFixed(0)}/s) RSS ${r.afterRssMiB.toFixed(1)} MiB, peak ${r.afterHwmMiB!.toFixed(1)} MiB`) +
          (r.settledRssMiB === undefined ? '' : `, ${options.settle} s later ${r.settledRssMiB.toFixed(1)} MiB`) +
          (r.restartMs === undefined ? '' : `; restart ready ${r.restartMs.toFixed(0)} ms (CPU ${r.restartCpuMs!.toFixed(0)} ms)`),
      );
    }
  }
  const loadAfter = loadAverage();
  const settled = options.settle > 0 && options.deploys > 0;
  const table = [
    `| Server | ready ms, median (min–max) | CPU ms until ready | restart: ready ms | restart: CPU ms | idle RSS MiB | RSS after ${options.deploys.toLocaleString('en-US')} deploys MiB | peak RSS (VmHWM) MiB |${settled ? ` RSS ${options.settle} s later MiB |` : ''} deploys/s while loading |`,
    `|---|--:|--:|--:|--:|--:|--:|--:|${settled ? '--:|' : ''}--:|`,
    row('Shipline (SQLite)', shipline, settled),
    ...(options.baseline ? [row(`baseline (${options.baseline})`, baseline, settled)] : []),
    row('bare Fastify', bare, settled),
  ].join('\n');
  console.log(`\nNode ${process.version}, ${os.cpus().length} CPUs; load average ${loadBefore} before, ${loadAfter} after.\n\n${table}\n`);
  const startMs = median(shipline.map((r) => r.startMs));
  const idle = median(shipline.map((r) => r.idleRssMiB));
  const checks = [
    { name: `start <= ${TARGETS.startMs} ms`, pass: startMs <= TARGETS.startMs, detail: `${startMs.toFixed(0)} ms` },
    { name: `idle RSS <= ${TARGETS.idleMiB} MiB`, pass: idle <= TARGETS.idleMiB, detail: `${idle.toFixed(1)} MiB` },
  ];
  if (options.deploys > 0) {
    const after = median(shipline.map((r) => r.afterRssMiB!));
    checks.push({
      name: `RSS after deploys <= ${TARGETS.afterDeploysMiB} MiB`,
      pass: after <= TARGETS.afterDeploysMiB,
      detail: `${after.toFixed(1)} MiB after ${options.deploys} deploys${options.deploys === 100_000 ? '' : ' (the target is for 100,000)'}`,
    });
  }
  for (const c of checks) console.log(`${c.pass ? 'PASS' : 'FAIL'}  ${c.name.padEnd(32)} ${c.detail}`);
  const diagnostic = options.cpuProf || options.heapSnapshot ? await diagnose(options) : undefined;
  if (options.json) {
    const result = { options, node: process.version, loadBefore, loadAfter, shipline, baseline, bare, checks, diagnostic };
    fs.writeFileSync(options.json, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`\nresults written to ${options.json}`);
  }
  return 0;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the servers this benchmark started`);
    void cleanup.all().then(() => process.exit(130));
  });
}

try {
  process.exitCode = await main();
} catch (err) {
  console.error(`\nbench:start failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
} finally {
  await cleanup.all();
}
