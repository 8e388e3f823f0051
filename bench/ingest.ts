// Ingest benchmark: how many deploy webhooks per second Shipline commits, and what each costs,
// against two servers on the same machine: bare Fastify answering 202 (the CPU ceiling) and the
// durable reference (bench/durable-reference.ts: what a minimal durable server does on this disk).
//
//   npm run bench:ingest [-- --rounds 5 --duration 5 --warmup 5 --connections 50 --json out.json --baseline <checkout>]
//
// --baseline measures a second build of Shipline (another checkout, built with `npm run build`)
// in the same alternating rounds, on SQLite and, when PostgreSQL is measured, on PostgreSQL too,
// each just before this build on the same store: a change's before and after from one run, each
// round's CPU µs per request and bytes per deploy printed side by side.
//
// Load comes from wrk (1 thread; installed with apt-get when missing) running bench/wrk-deploy.lua,
// which sends each request a deploy with its own dedup_id. The servers take turns, round by round
// (bare, reference, Shipline SQLite, Shipline PostgreSQL, bare, ...), so a machine that speeds up
// or slows down affects all alike. Besides req/s and latency it reports figures that do not depend
// on how busy the machine is: the server's CPU time per request (all threads, /proc/<pid>/stat)
// and the bytes it caused to be written per deploy (/proc/<pid>/io). On PostgreSQL the writes
// happen in the database's own processes, so it reports the WAL generated per deploy instead
// (pg_current_wal_lsn(); cluster-wide, so other databases' traffic adds to it) and the CPU time of
// Shipline's backends. With SHIPLINE_TEST_DATABASE_URL set, Shipline is measured on PostgreSQL in
// a database this script creates and drops.
//
// Targets are printed PASS/FAIL but do not change the exit code; it is 1 when a server fails, any
// request gets a non-2xx or a socket error, or fewer deploys are stored than were acknowledged.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { startServer } from '../test/support/server-process.js';
import { spawnServer } from '../test/support/child-server.js';
import type { ServerChild } from '../test/support/child-server.js';
import { Cleanup } from './support/cleanup.js';
import { cpuTimes, loadAverage, processCpuUs, processWriteBytes, stealBetween } from './support/proc.js';
import { ensureWrk, mergedPercentileMs, runWrk } from './support/wrk.js';
import type { WrkRun } from './support/wrk.js';
import { fmtInt, fmtMs, fmtPct, ingestTable, judge } from './support/ingest-report.js';
import type { Subject, SubjectFigures } from './support/ingest-report.js';
import { walPosition } from './support/pg-wal.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Above this share of stolen CPU time the servers did not get the machine a quiet run gets. */
const STEAL_WARNING = 0.05;
/** PostgreSQL's backends send their statistics at most once a second (PGSTAT_MIN_INTERVAL), once idle. */
const STATS_FLUSH_MS = 1_200;

interface Options {
  rounds: number;
  /** Seconds per server per round. */
  duration: number;
  warmup: number;
  connections: number;
  json: string | undefined;
  /** A built checkout of another Shipline version to measure beside this one. */
  baseline: string | undefined;
}

const USAGE =
  'usage: npm run bench:ingest -- [--rounds <n>] [--duration <s per round>] [--warmup <s>] [--connections <n>] [--json <file>] [--baseline <checkout>]';

function parseArgs(argv: readonly string[]): Options {
  const options: Options = { rounds: 5, duration: 5, warmup: 5, connections: 50, json: undefined, baseline: undefined };
  const limits = { rounds: [1, 60], duration: [1, 600], warmup: [0, 600], connections: [1, 10_000] } as const;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    }
    const match = /^--(rounds|duration|warmup|connections|json|baseline)(?:=(.*))?$/.exec(arg);
    if (!match) throw new Error(`unknown argument '${arg}'\n${USAGE}`);
    const raw = match[2] ?? argv[++i];
    if (raw === undefined) throw new Error(`--${match[1]} needs a value\n${USAGE}`);
    if (match[1] === 'json' || match[1] === 'baseline') {
      options[match[1]] = raw;
      continue;
    }
    const name = match[1] as keyof typeof limits;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < limits[name][0] || value > limits[name][1]) {
      throw new Error(`--${name} needs a whole number from ${limits[name][0]} to ${limits[name][1]}, got '${raw}'\n${USAGE}`);
    }
    options[name] = value;
  }
  return options;
}

const cleanup = new Cleanup();

// ---------------------------------------------------------------------------------------------
// Servers

function redactUrl(raw: string): string {
  const url = new URL(raw);
  if (url.password) url.password = '***';
  return url.toString();
}

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipline-bench-'));
  cleanup.add(`temp dir ${dir}`, () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function countRows(file: string, table: string): number {
  const db = new Database(file, { fileMustExist: true, readonly: true });
  try {
    return (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

async function spawnBenchServer(name: string, script: string, ready: RegExp, env: NodeJS.ProcessEnv): Promise<ServerChild> {
  const server = await spawnServer({
    name,
    args: ['--import', 'tsx', path.join(ROOT, 'bench', script)],
    cwd: ROOT,
    env,
    ready,
    readyTimeoutMs: 30_000,
  });
  cleanup.add(name, () => server.stop().then(() => undefined));
  return server;
}

async function startBare(runId: string): Promise<Subject> {
  const server = await spawnBenchServer('bare Fastify', 'bare-server.ts', /Bare Fastify listening on (http:\/\/\S+)/, process.env);
  return newSubject('bare', 'bare Fastify', server, `${server.url}/integrations/deploy/bench`, `${runId}-bare`);
}

async function startReference(runId: string): Promise<Subject> {
  const dir = tempDir();
  const server = await spawnBenchServer('durable reference', 'durable-reference.ts', /Durable reference listening on (http:\/\/\S+)/, {
    ...process.env,
    REFERENCE_DATA_DIR: dir,
  });
  const subject = newSubject('reference', 'durable reference', server, `${server.url}/integrations/deploy/bench`, `${runId}-ref`);
  subject.countStored = async () => countRows(path.join(dir, 'reference.db'), 'deploys');
  return subject;
}

async function adminPost(url: string, token: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`POST ${url} answered ${res.status}, expected 201: ${text.slice(0, 500)}`);
  return JSON.parse(text) as Record<string, unknown>;
}

async function withPg<T>(connectionString: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty database next to the test one, dropped by the cleanup; returns its URL. */
async function createPgDatabase(baseUrl: string): Promise<string> {
  const name = `shipline_bench_${randomBytes(6).toString('hex')}`;
  await withPg(baseUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  // FORCE ends connections a killed server may have left behind (PostgreSQL 13+).
  cleanup.add(`database ${name}`, () =>
    withPg(baseUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => {}),
  );
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function startShipline(runId: string, pgBaseUrl: string | undefined, baseline?: string): Promise<Subject> {
  const dataDir = tempDir();
  const databaseUrl = pgBaseUrl ? await createPgDatabase(pgBaseUrl) : undefined;
  const label = `${databaseUrl ? 'PostgreSQL' : 'SQLite'}${baseline ? ', baseline' : ''}`;
  const adminToken = randomBytes(30).toString('base64url');
  const server = await startServer({
    name: `Shipline (${label})`,
    dataDir,
    databaseUrl,
    adminToken,
    readyTimeoutMs: 30_000,
    root: baseline,
    asProgram: true,
  });
  cleanup.add(`Shipline (${label})`, () => server.stop().then(() => undefined));
  const endpoint = await adminPost(`${server.url}/api/v1/deploy-endpoints`, adminToken, { name: 'bench' });
  if (typeof endpoint.id !== 'string') throw new Error(`deploy endpoint without an id: ${JSON.stringify(endpoint)}`);
  await adminPost(`${server.url}/api/v1/services`, adminToken, { name: 'checkout' });
  const key = databaseUrl ? (baseline ? 'baseline-postgres' : 'postgres') : baseline ? 'baseline' : 'sqlite';
  const subject = newSubject(key, `Shipline, ${label}`, server, `${server.url}/integrations/deploy/${endpoint.id}`, `${runId}-${key}`);
  subject.storeLine = server.readyLine;
  if (!databaseUrl) {
    subject.countStored = async () => countRows(path.join(dataDir, 'shipline.db'), 'deploys');
    return subject;
  }
  console.log(`  database ${redactUrl(databaseUrl)}`);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  cleanup.add('measuring connection', () => client.end());
  const dbName = new URL(databaseUrl).pathname.slice(1);
  subject.countStored = async () => Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM deploys')).rows[0]?.n);
  subject.walPosition = () => walPosition(client);
  // Every deploy goes to one service, so each ingest statement writes its sequence row once.
  subject.batches = async () =>
    Number(
      (await client.query<{ n: string }>("SELECT n_tup_upd + n_tup_ins AS n FROM pg_stat_user_tables WHERE relname = 'deploy_sequences'"))
        .rows[0]?.n,
    );
  subject.backendPids = async () =>
    (
      await client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [dbName])
    ).rows.map((r) => r.pid);
  return subject;
}

function newSubject(key: Subject['key'], name: string, server: ServerChild, url: string, idPrefix: string): Subject {
  return { key, name, server, url, idPrefix, storeLine: undefined, acknowledged: 0, warmupBad: 0, rounds: [] };
}

// ---------------------------------------------------------------------------------------------
// Load

async function smokeRequest(subject: Subject): Promise<void> {
  const body = JSON.stringify({
    service: 'checkout',
    description: 'Deployed by CI',
    deployed_at: new Date().toISOString(),
    environment: 'Production',
    deployer: { email: 'ci@example.com', name: 'CI' },
    dedup_id: `${subject.idPrefix}-smoke`,
  });
  const res = await fetch(subject.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const text = await res.text();
  if (res.status !== 202)
    throw new Error(`${subject.name}: a single deploy POST answered ${res.status}, expected 202: ${text.slice(0, 500)}`);
  subject.acknowledged++;
}

function ok2xx(run: WrkRun): number {
  return run.requests - run.non2xx;
}

/** Backend CPU of the bench database's connections: the pids present now, in µs. */
async function backendCpu(subject: Subject): Promise<Map<number, number> | undefined> {
  if (!subject.backendPids) return undefined;
  const cpu = new Map<number, number>();
  for (const pid of await subject.backendPids()) {
    const us = processCpuUs(pid);
    if (us === undefined) return undefined;
    cpu.set(pid, us);
  }
  return cpu;
}

async function measureRound(subject: Subject, seconds: number, connections: number, tag: string): Promise<void> {
  if (!subject.server.running()) throw new Error(`${subject.name} is no longer running:\n${subject.server.output()}`);
  const pid = subject.server.pid;
  const cpu0 = processCpuUs(pid);
  const io0 = processWriteBytes(pid);
  const wal0 = await subject.walPosition?.();
  const db0 = await backendCpu(subject);
  const batches0 = await subject.batches?.();
  const host0 = cpuTimes();
  const wrk = await runWrk({ url: subject.url, seconds, connections, threads: 1, idPrefix: `${subject.idPrefix}-${tag}` });
  const host1 = cpuTimes();
  const cpu1 = processCpuUs(pid);
  const io1 = processWriteBytes(pid);
  const wal1 = await subject.walPosition?.();
  const db1 = await backendCpu(subject);
  // A backend reports its table statistics when idle, at most once a second: wait for that.
  if (subject.batches) await new Promise((resolve) => setTimeout(resolve, STATS_FLUSH_MS));
  const batches1 = await subject.batches?.();
  let dbCpuUs: number | undefined;
  if (db0 && db1) {
    dbCpuUs = 0;
    // A backend opened during the round counts from zero; one closed during it is lost (rare: the pool keeps them).
    for (const [p, us] of db1) dbCpuUs += us - (db0.get(p) ?? 0);
  }
  subject.acknowledged += ok2xx(wrk);
  subject.rounds.push({
    wrk,
    cpuUs: cpu0 !== undefined && cpu1 !== undefined ? cpu1 - cpu0 : undefined,
    writeBytes: io0 !== undefined && io1 !== undefined ? io1 - io0 : undefined,
    walBytes: wal0 !== undefined && wal1 !== undefined ? Number(wal1 - wal0) : undefined,
    dbCpuUs,
    dbBatches: batches0 !== undefined && batches1 !== undefined ? batches1 - batches0 : undefined,
    steal: stealBetween(host0, host1),
  });
  const rps = wrk.requests / wrk.seconds;
  const bad = wrk.non2xx + wrk.socketErrors;
  const round = subject.rounds.at(-1)!;
  const cpu = round.cpuUs === undefined || wrk.requests === 0 ? '-' : (round.cpuUs / wrk.requests).toFixed(1);
  const written = round.writeBytes === undefined || ok2xx(wrk) === 0 ? '-' : fmtInt(round.writeBytes / ok2xx(wrk));
  const db = round.dbCpuUs === undefined || wrk.requests === 0 ? '' : `, ${(round.dbCpuUs / wrk.requests).toFixed(1)} DB CPU µs/req`;
  const perBatch = round.dbBatches ? `, ${(ok2xx(wrk) / round.dbBatches).toFixed(1)} deploys per batch` : '';
  console.log(
    `  ${subject.name.padEnd(28)} ${fmtInt(rps).padStart(7)} req/s, p99 ${fmtMs(mergedPercentileMs([wrk], 99))} ms, ` +
      `${cpu} CPU µs/req, ${written} B written/req${db}${perBatch}` +
      `${bad ? `, ${wrk.non2xx} non-2xx, ${wrk.socketErrors} socket errors` : ''}`,
  );
}

async function warmUp(subject: Subject, options: Options): Promise<void> {
  await smokeRequest(subject);
  if (options.warmup === 0) return;
  const wrk = await runWrk({
    url: subject.url,
    seconds: options.warmup,
    connections: options.connections,
    threads: 1,
    idPrefix: `${subject.idPrefix}-w`,
  });
  subject.acknowledged += ok2xx(wrk);
  subject.warmupBad += wrk.non2xx + wrk.socketErrors;
  console.log(`  warm-up ${subject.name}: ${fmtInt(wrk.requests)} requests (discarded)`);
}

function figures(subject: Subject): SubjectFigures {
  const runs = subject.rounds.map((r) => r.wrk);
  const sum = (pick: (r: Subject['rounds'][number]) => number | undefined) => {
    let total = 0;
    for (const r of subject.rounds) {
      const v = pick(r);
      if (v === undefined) return undefined;
      total += v;
    }
    return total;
  };
  const seconds = sum((r) => r.wrk.seconds)!;
  const requests = sum((r) => r.wrk.requests)!;
  const accepted = sum((r) => ok2xx(r.wrk))!;
  const per = (v: number | undefined, n: number) => (v === undefined || n === 0 ? undefined : v / n);
  return {
    seconds,
    requests,
    requestsPerSec: requests / seconds,
    roundRequestsPerSec: runs.map((r) => Math.round(r.requests / r.seconds)),
    p50Ms: mergedPercentileMs(runs, 50),
    p99Ms: mergedPercentileMs(runs, 99),
    cpuUsPerRequest: per(
      sum((r) => r.cpuUs),
      requests,
    ),
    dbCpuUsPerRequest: subject.backendPids
      ? per(
          sum((r) => r.dbCpuUs),
          requests,
        )
      : undefined,
    writtenPerDeploy:
      subject.key === 'bare'
        ? undefined
        : per(
            sum((r) => r.writeBytes),
            accepted,
          ),
    deploysPerBatch: per(accepted, sum((r) => r.dbBatches) ?? 0),
    walPerDeploy: subject.walPosition
      ? per(
          sum((r) => r.walBytes),
          accepted,
        )
      : undefined,
    non2xx: sum((r) => r.wrk.non2xx)! + subject.warmupBad,
    socketErrors: sum((r) => r.wrk.socketErrors)!,
    wrkCoreShare: sum((r) => r.wrk.wrkCpuSeconds)! / seconds,
    steal: per(
      sum((r) => (r.steal === undefined ? undefined : r.steal * r.wrk.seconds)),
      seconds,
    ),
    acknowledged: subject.acknowledged,
    stored: undefined,
  };
}

// ---------------------------------------------------------------------------------------------
// Main

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  ensureWrk();
  const runId = `bench-${randomBytes(4).toString('hex')}`;
  const pgBaseUrl = process.env.SHIPLINE_TEST_DATABASE_URL || undefined;
  const loadBefore = loadAverage();
  console.log(
    `Ingest benchmark ${runId}: wrk 1 thread, ${options.connections} connections, ${options.rounds} rounds of ${options.duration} s per server` +
      `${pgBaseUrl ? `; PostgreSQL via ${redactUrl(pgBaseUrl)}` : '; SQLite only (set SHIPLINE_TEST_DATABASE_URL for PostgreSQL)'}` +
      `\nload average before: ${loadBefore}\n`,
  );

  const subjects: Subject[] = [await startBare(runId), await startReference(runId)];
  if (options.baseline) subjects.push(await startShipline(runId, undefined, options.baseline));
  subjects.push(await startShipline(runId, undefined));
  if (pgBaseUrl && options.baseline) subjects.push(await startShipline(runId, pgBaseUrl, options.baseline));
  if (pgBaseUrl) subjects.push(await startShipline(runId, pgBaseUrl));
  for (const s of subjects) console.log(`  ${s.storeLine ?? s.server.readyLine} (pid ${s.server.pid})`);
  for (const s of subjects) await warmUp(s, options);

  for (let round = 1; round <= options.rounds; round++) {
    console.log(`round ${round}/${options.rounds}`);
    for (const s of subjects) await measureRound(s, options.duration, options.connections, `m${round}`);
  }
  const loadAfter = loadAverage();

  const results = new Map<Subject['key'], SubjectFigures>();
  for (const s of subjects) results.set(s.key, figures(s));
  // Counted with each server stopped: whatever it acknowledged must have survived its shutdown.
  const shutdowns: string[] = [];
  for (const s of [...subjects].reverse()) {
    const { code, signal } = await s.server.stop();
    if (code !== 0) shutdowns.push(`${s.name} stopped with code ${code}, signal ${signal}`);
    results.get(s.key)!.stored = await s.countStored?.();
  }

  const { checks, failures } = judge(results);
  failures.push(...shutdowns);
  const table = ingestTable(results, subjects);
  console.log(
    `\nwrk 1 thread, ${options.connections} connections; ${options.rounds} alternating rounds of ${options.duration} s per server ` +
      `after ${options.warmup} s warm-up; Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'CPU'}; ` +
      `load average ${loadBefore} before, ${loadAfter} after.\n\n${table}\n`,
  );
  for (const c of checks) console.log(`${c.pass ? 'PASS' : 'FAIL'}  ${c.name.padEnd(44)} ${c.detail}`);
  const steal = Math.max(0, ...[...results.values()].map((f) => f.steal ?? 0));
  if (steal > STEAL_WARNING) {
    console.log(
      `WARNING: the host took up to ${fmtPct(steal)} of this VM's CPU time during a server's rounds (steal in /proc/stat): ` +
        'req/s and latency are not comparable with a quiet run; CPU µs per request and bytes per deploy suffer less.',
    );
  }
  for (const s of subjects) {
    const f = results.get(s.key)!;
    console.log(`wrk's own CPU beside ${s.name}: ${fmtPct(f.wrkCoreShare)} of one core`);
  }
  if (options.json) {
    fs.writeFileSync(
      options.json,
      `${JSON.stringify({ runId, options, node: process.version, cpus: os.cpus().length, loadBefore, loadAfter, results: Object.fromEntries(results), checks, failures }, null, 2)}\n`,
    );
    console.log(`\nresults written to ${options.json}`);
  }
  if (failures.length > 0) {
    console.log(`\nFAILED (correctness):\n  ${failures.join('\n  ')}`);
    return 1;
  }
  console.log('\nNo errors; every acknowledged deploy stored (targets above are reported, not enforced)');
  return 0;
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\n${signal}: stopping the servers this benchmark started`);
    void cleanup.all().then(() => process.exit(130));
  });
}

try {
  process.exitCode = await main();
} catch (err) {
  console.error(`\nbench:ingest failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
} finally {
  await cleanup.all();
}
