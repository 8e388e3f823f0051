// Reactions benchmark: how fast and how reliably a deploy becomes an outgoing HTTP request.
//
//   npm run bench:reactions [-- --rate 500 --duration 20 --steps 1000,1500,2000,2500,3000 --step-duration 10]
//
// Starts a local sink and Shipline (SQLite), applies one reaction (deploy.recorded → http.request
// to the sink) and sends deploys through the deploy webhook at fixed rates (open loop: requests
// go out on schedule whatever the answers). For each deploy it takes the time from the ingest's
// 202 to the sink receiving the reaction's request, and from sending the deploy to its 202. First
// a fixed rate (500/s for 20 s), then stepping up to find the highest rate the whole pipeline
// sustains: every deploy of the step answered within MAX_STEP_P99_MS (p99) of being sent, and
// delivered within DRAIN_MS after the last answer. Finally it checks that the sink
// received every acknowledged deploy exactly once and that every run is recorded as succeeded.
// With SHIPLINE_TEST_DATABASE_URL set, the same runs on PostgreSQL, then with two processes
// sharing one PostgreSQL database. Not part of `npm test`.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { ServerChild } from '../test/support/child-server.js';
import { startServer } from '../test/support/server-process.js';
import { Sink } from '../test/support/sink.js';
import { countWalFrames } from './support/wal-poller.js';
import type { WalCount } from './support/wal-poller.js';
import { copyDatabase, treesOf } from './support/wal-frames.js';
import { walPosition } from './support/pg-wal.js';

const TARGET_P50_MS = 10;
const TARGET_P99_MS = 50;
const TARGET_SUSTAINED = 2000;
/**
 * A step counts as sustained when its last delivery lands within DRAIN_MS after its last answer,
 * and both its p99s (send → 202, 202 → sink) stay under MAX_STEP_P99_MS: a backlog that grows for
 * the whole step, in the webhook or in the engine, fails one of them. The answers count too: an
 * engine that runs each reaction as soon as its deploy commits shows no 202 → sink delay however
 * far the webhook's answers fall behind the rate sent.
 */
const DRAIN_MS = 2000;
const MAX_STEP_P99_MS = 500;
const MASTER_KEY = randomBytes(32).toString('base64');
/** Preloaded into each server: counts its PostgreSQL statements and its CPU time (see the file). */
const COUNTER = new URL('./count-statements.mjs', import.meta.url).href;
const countsFile = (dataDir: string, i: number) => path.join(dataDir, `counts-${i}.json`);

type Setup = 'sqlite' | 'postgres' | 'postgres-2';

interface Options {
  /** Which setups to measure; the PostgreSQL ones need SHIPLINE_TEST_DATABASE_URL. */
  setups: Setup[];
  rate: number;
  duration: number;
  steps: number[];
  stepDuration: number;
  /** A built checkout to measure in alternating rounds with this one (--baseline DIR), and how many rounds. */
  baseline: string | undefined;
  rounds: number;
}

function parseArgs(argv: readonly string[]): Options {
  const options: Options = {
    setups: ['sqlite', 'postgres', 'postgres-2'],
    rate: 500,
    duration: 20,
    steps: [1000, 1500, 2000, 2500, 3000, 3500, 4000],
    stepDuration: 10,
    baseline: undefined,
    rounds: 1,
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split('=', 2);
    const raw = inline ?? argv[++i] ?? '';
    if (flag === '--rate') options.rate = Number(raw);
    else if (flag === '--duration') options.duration = Number(raw);
    else if (flag === '--step-duration') options.stepDuration = Number(raw);
    else if (flag === '--steps') options.steps = raw.split(',').map(Number);
    else if (flag === '--setups') options.setups = raw.split(',') as Setup[];
    else if (flag === '--baseline') options.baseline = raw;
    else if (flag === '--rounds') options.rounds = Number(raw);
    else
      throw new Error(
        `unknown argument ${flag}\nusage: npm run bench:reactions -- [--setups sqlite,postgres,postgres-2] [--rate n] [--duration s] [--steps a,b,c] [--step-duration s] [--baseline DIR --rounds n]`,
      );
  }
  if (!options.setups.every((x) => ['sqlite', 'postgres', 'postgres-2'].includes(x)))
    throw new Error('--setups takes sqlite, postgres and postgres-2');
  if (![options.rate, options.duration, options.stepDuration, options.rounds, ...options.steps].every((n) => Number.isFinite(n) && n > 0))
    throw new Error('every option must be a positive number');
  return options;
}

/** What the sink saw and when, per deploy id; and when each deploy was acknowledged. */
class Ledger {
  /** When each deploy's request was sent, to read the webhook's own latency (send → 202). */
  readonly sent = new Map<string, number>();
  readonly acked = new Map<string, number>();
  readonly delivered = new Map<string, number>();
  duplicates = 0;
  failures = 0;

  constructor(sink: Sink) {
    sink.reply = (request) => {
      const id = (JSON.parse(request.body) as { id: string }).id;
      if (this.delivered.has(id)) this.duplicates++;
      else this.delivered.set(id, performance.timeOrigin + performance.now());
      return { status: 200, body: 'ok' };
    };
  }

  latencies(ids: readonly string[]): number[] {
    return ids
      .flatMap((id) => {
        const acked = this.acked.get(id);
        const delivered = this.delivered.get(id);
        return acked !== undefined && delivered !== undefined ? [Math.max(0, delivered - acked)] : [];
      })
      .sort((a, b) => a - b);
  }

  /** Send → 202 in ms, sorted: what a pipeline waits for, whatever the reaction does after. */
  answerTimes(ids: readonly string[]): number[] {
    return ids
      .flatMap((id) => {
        const [sent, acked] = [this.sent.get(id), this.acked.get(id)];
        return sent !== undefined && acked !== undefined ? [acked - sent] : [];
      })
      .sort((a, b) => a - b);
  }
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;

/** Sends `rate` deploys a second for `seconds`, spread over the servers; resolves with the ids sent once all are answered. */
async function drive(
  servers: ServerChild[],
  endpointId: string,
  rate: number,
  seconds: number,
  prefix: string,
  ledger: Ledger,
): Promise<string[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const ids: string[] = [];
  const pending: Promise<void>[] = [];
  const start = performance.now();
  const total = Math.round(rate * seconds);
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate));
      while (sent < due) {
        const id = `${prefix}-${sent}`;
        const server = servers[sent % servers.length]!;
        ids.push(id);
        ledger.sent.set(id, performance.timeOrigin + performance.now());
        pending.push(
          post(server, endpointId, id, agent).then(
            (status) => {
              if (status === 202) ledger.acked.set(id, performance.timeOrigin + performance.now());
              else ledger.failures++;
            },
            () => void ledger.failures++,
          ),
        );
        sent++;
      }
      if (sent >= total) resolve();
      else setTimeout(tick, 2);
    };
    tick();
  });
  await Promise.all(pending);
  agent.destroy();
  return ids;
}

function post(server: ServerChild, endpointId: string, id: string, agent: http.Agent): Promise<number> {
  const body = `{"service":"checkout","description":"bench","deployed_at":"${new Date().toISOString()}","environment":"Production","deployer":{"name":"CI"},"dedup_id":"${id}"}`;
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${server.url}/integrations/deploy/${endpointId}`,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Waits until every acknowledged id of `ids` reached the sink, or `ms` passed; true when all did. */
async function drained(ids: readonly string[], ledger: Ledger, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (ids.every((id) => !ledger.acked.has(id) || ledger.delivered.has(id))) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function api<T = unknown>(server: ServerChild, token: string, method: string, pathname: string, body?: unknown): Promise<T> {
  const res = await fetch(`${server.url}${pathname}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${pathname}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

async function countRuns(server: ServerChild, token: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  let cursor: string | null = null;
  do {
    const page: { items: { status: string }[]; nextCursor: string | null } = await api<{
      items: { status: string }[];
      nextCursor: string | null;
    }>(server, token, 'GET', `/api/v1/runs?reaction=bench&limit=500${cursor ? `&cursor=${cursor}` : ''}`);
    for (const r of page.items) counts[r.status] = (counts[r.status] ?? 0) + 1;
    cursor = page.nextCursor;
  } while (cursor);
  return counts;
}

interface Outcome {
  label: string;
  p50: number;
  p99: number;
  max: number;
  /** Send → 202 at the fixed rate. */
  answerP50: number;
  answerP99: number;
  sustained: number;
  exactlyOnce: boolean;
  allSucceeded: boolean;
  summary: string;
  acknowledged: number;
  /** PostgreSQL only: row writes and commits per acknowledged deploy, from the server's statistics. */
  writes?: string;
}

async function bench(label: string, processes: number, databaseUrl: string | undefined, options: Options, root?: string): Promise<Outcome> {
  console.log(`\n== ${label}`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipline-bench-reactions-'));
  const token = randomBytes(20).toString('hex');
  const sink = await new Sink().start();
  const ledger = new Ledger(sink);
  const servers: ServerChild[] = [];
  try {
    for (let i = 0; i < processes; i++) {
      servers.push(
        await startServer({
          dataDir,
          databaseUrl,
          adminToken: token,
          name: `Shipline ${i + 1}`,
          ...(root ? { root } : {}),
          asProgram: true,
          env: {
            SHIPLINE_ALLOW_HOSTS: '127.0.0.1',
            SHIPLINE_MASTER_KEY: MASTER_KEY,
            SHIPLINE_LOG_LEVEL: 'warn',
            ...(process.env.SHIPLINE_WORKERS ? { SHIPLINE_WORKERS: process.env.SHIPLINE_WORKERS } : {}),
            NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${COUNTER}`.trim(),
            SHIPLINE_BENCH_COUNTS: countsFile(dataDir, i),
          },
        }),
      );
    }
    const first = servers[0]!;
    await api(first, token, 'PUT', '/api/v1/reactions/bench', {
      name: 'bench',
      on: { event: 'deploy.recorded' },
      steps: { notify: { uses: 'http.request', with: { method: 'POST', url: `${sink.url}/deploys`, body: { id: '{{ data.dedupId }}' } } } },
    });
    const endpoint = await api<{ id: string }>(first, token, 'POST', '/api/v1/deploy-endpoints', { name: 'bench' });
    // Warm-up: JIT, connection pools, page cache.
    await drained(await drive(servers, endpoint.id, 200, 3, 'warm', ledger), ledger, 10_000);
    // SQLite: every WAL frame from here on, by page (bench/support/wal-poller.ts).
    const dbFile = path.join(dataDir, 'shipline.db');
    const walFrames = databaseUrl ? undefined : await countWalFrames(`${dbFile}-wal`);
    const ackedBefore = ledger.acked.size;

    const fixed = await drive(servers, endpoint.id, options.rate, options.duration, 'fixed', ledger);
    await drained(fixed, ledger, 30_000);
    const lat = ledger.latencies(fixed);
    const [p50, p99, max] = [percentile(lat, 50), percentile(lat, 99), lat[lat.length - 1] ?? Number.NaN];
    const answered = ledger.answerTimes(fixed);
    const [answerP50, answerP99] = [percentile(answered, 50), percentile(answered, 99)];
    console.log(
      `  ${options.rate}/s for ${options.duration} s: 202→sink p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${max.toFixed(1)} ms (${lat.length} delivered); send→202 p50 ${answerP50.toFixed(1)} ms, p99 ${answerP99.toFixed(1)} ms`,
    );

    let sustained = 0;
    for (const rate of options.steps) {
      const failuresBefore = ledger.failures;
      const [cpuBefore, wallBefore] = [process.cpuUsage(), performance.now()];
      const ids = await drive(servers, endpoint.id, rate, options.stepDuration, `step${rate}`, ledger);
      const cpu = process.cpuUsage(cpuBefore);
      // This process sends the deploys and is the sink: its share of a core says whether it kept up.
      const loadShare = (cpu.user + cpu.system) / 1000 / (performance.now() - wallBefore);
      const caughtUp = (await drained(ids, ledger, DRAIN_MS)) && ledger.failures === failuresBefore;
      const stepLat = ledger.latencies(ids);
      const answers = ledger.answerTimes(ids);
      const ok = caughtUp && percentile(stepLat, 99) <= MAX_STEP_P99_MS && percentile(answers, 99) <= MAX_STEP_P99_MS;
      console.log(
        `  step ${rate}/s: ${ok ? 'kept up' : 'fell behind'} (202→sink p50 ${percentile(stepLat, 50).toFixed(1)} ms, p99 ${percentile(stepLat, 99).toFixed(1)} ms; send→202 p50 ${percentile(answers, 50).toFixed(1)} ms, p99 ${percentile(answers, 99).toFixed(1)} ms; load generator and sink ${(100 * loadShare).toFixed(0)}% of one core)`,
      );
      if (!ok) {
        await drained(ids, ledger, 120_000);
        break;
      }
      sustained = rate;
    }

    const ackedNotDelivered = [...ledger.acked.keys()].filter((id) => !ledger.delivered.has(id)).length;
    const exactlyOnce = ackedNotDelivered === 0 && ledger.duplicates === 0 && ledger.failures === 0;
    let runs: Record<string, number> = {};
    for (let tries = 0; tries < 100; tries++) {
      runs = await countRuns(first, token);
      if ((runs.succeeded ?? 0) >= ledger.acked.size) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const allSucceeded = (runs.succeeded ?? 0) === ledger.acked.size;
    const summary = `acknowledged ${ledger.acked.size}, delivered ${ledger.delivered.size}, duplicates ${ledger.duplicates}, ingest failures ${ledger.failures}, runs ${JSON.stringify(runs)}`;
    console.log(`  ${summary}`);
    if (walFrames) printWalFrames(await walFrames.stop(), dbFile, path.join(dataDir, 'copy'), ledger.acked.size - ackedBefore);
    return { label, p50, p99, max, answerP50, answerP99, sustained, exactlyOnce, allSucceeded, summary, acknowledged: ledger.acked.size };
  } finally {
    for (const server of servers) await server.stop();
    printCounts(dataDir, servers.length, ledger.acked.size);
    await sink.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Statements sent to PostgreSQL, CPU time of the Shipline processes and the bytes they wrote to
 * disk (on SQLite the WAL and its checkpoints; on PostgreSQL the database writes, see walBytes),
 * per acknowledged deploy.
 */
function printCounts(dataDir: string, processes: number, deploys: number): void {
  let statements = 0;
  let cpuMicros = 0;
  let writeBytes = 0;
  for (let i = 0; i < processes; i++) {
    const file = countsFile(dataDir, i);
    if (!fs.existsSync(file)) return;
    const counts = JSON.parse(fs.readFileSync(file, 'utf8')) as { statements: number; cpuMicros: number; writeBytes: number | null };
    statements += counts.statements;
    cpuMicros += counts.cpuMicros;
    writeBytes += counts.writeBytes ?? Number.NaN;
  }
  const per = Math.max(1, deploys);
  console.log(
    `  per deploy (warm-up included): ${(statements / per).toFixed(2)} statements to PostgreSQL, ${(cpuMicros / per).toFixed(0)} µs CPU in Shipline, ${(writeBytes / per).toFixed(0)} bytes written to disk by Shipline`,
  );
}

/**
 * The WAL frames (4 KiB pages, each with its 24-byte header) written per deploy after the warm-up,
 * deploy and run together, and by B-tree: a figure of the schema and of how the commits group,
 * not of the machine's speed. The checkpoints' copies into the database file come on top.
 */
function printWalFrames(count: WalCount, dbFile: string, scratch: string, deploys: number): void {
  const treeOf = treesOf(copyDatabase(dbFile, scratch));
  const byTree = new Map<string, number>();
  for (const [page, frames] of count.byPage) {
    const tree = treeOf.get(page) ?? 'free or new';
    byTree.set(tree, (byTree.get(tree) ?? 0) + frames);
  }
  const per = (n: number) => (n / Math.max(1, deploys)).toFixed(2);
  const trees = [...byTree].sort((a, b) => b[1] - a[1]).filter(([, n]) => n / Math.max(1, deploys) >= 0.005);
  console.log(
    `  WAL after the warm-up: ${per(count.frames)} frames per deploy (${Math.round((count.frames * (4096 + 24)) / Math.max(1, deploys))} B), ` +
      `${per(count.commits)} commits per deploy, ${(count.frames / Math.max(1, count.commits)).toFixed(1)} frames per commit; ` +
      `frames per deploy by tree: ${trees.map(([tree, n]) => `${tree} ${per(n)}`).join(', ')}`,
  );
}

async function withPgDatabase<T>(base: string, work: (url: string) => Promise<T>): Promise<T> {
  const name = `shipline_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  try {
    const url = new URL(base);
    url.pathname = `/${name}`;
    return await work(url.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

/**
 * Row writes (inserts + updates + deletes, per table) and commits per acknowledged deploy, from
 * PostgreSQL's statistics of the bench's own database: a count that does not depend on the
 * machine. Read after the servers stopped (a backend reports its counts when it ends), until two
 * reads agree. Includes the warm-up and the setup (a few rows).
 */
async function rowWrites(url: string, deploys: number): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const read = async () => {
      const tables = await client.query<{ relname: string; writes: string }>(
        'SELECT relname, n_tup_ins + n_tup_upd + n_tup_del AS writes FROM pg_stat_user_tables ORDER BY relname',
      );
      const [db] = (
        await client.query<{ xact_commit: string }>('SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()')
      ).rows;
      return { tables: tables.rows.filter((r) => Number(r.writes) > 0), commits: Number(db!.xact_commit) };
    };
    let last = await read();
    for (let i = 0; i < 20; i++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const next = await read();
      const same = JSON.stringify(next.tables) === JSON.stringify(last.tables);
      last = next;
      if (same) break;
    }
    const per = (n: number) => (n / Math.max(1, deploys)).toFixed(2);
    const total = last.tables.reduce((sum, r) => sum + Number(r.writes), 0);
    return `row writes per deploy ${per(total)} (${last.tables.map((r) => `${r.relname} ${per(Number(r.writes))}`).join(', ')}); commits per deploy ${per(last.commits)}`;
  } finally {
    await client.end();
  }
}

async function measuredOnPg(label: string, processes: number, base: string, options: Options, root?: string): Promise<Outcome> {
  return withPgDatabase(base, async (url) => {
    const walClient = new pg.Client({ connectionString: url });
    await walClient.connect();
    try {
      const walFrom = await walPosition(walClient);
      const outcome = await bench(label, processes, url, options, root);
      const walBytes = Number((await walPosition(walClient)) - walFrom);
      outcome.writes = `${await rowWrites(url, outcome.acknowledged)}; WAL bytes per deploy ${(walBytes / Math.max(1, outcome.acknowledged)).toFixed(0)} (the whole cluster's)`;
      console.log(`  ${outcome.writes}`);
      return outcome;
    } finally {
      await walClient.end();
    }
  });
}

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  const outcomes: Outcome[] = [];
  const pgUrl = process.env.SHIPLINE_TEST_DATABASE_URL;
  // With a baseline, each round measures it and then this build, so both meet much the same load.
  const builds: { tag: string; root?: string }[] = options.baseline
    ? [{ tag: ' (baseline)', root: options.baseline }, { tag: '' }]
    : [{ tag: '' }];
  for (let round = 1; round <= options.rounds; round++) {
    const r = options.rounds > 1 ? `, round ${round}` : '';
    for (const { tag, root } of builds) {
      if (options.setups.includes('sqlite')) outcomes.push(await bench(`SQLite, one process${tag}${r}`, 1, undefined, options, root));
      if (pgUrl && options.setups.includes('postgres'))
        outcomes.push(await measuredOnPg(`PostgreSQL, one process${tag}${r}`, 1, pgUrl, options, root));
      if (pgUrl && options.setups.includes('postgres-2'))
        outcomes.push(await measuredOnPg(`PostgreSQL, two processes${tag}${r}`, 2, pgUrl, options, root));
    }
  }
  console.log(
    `\n| Store | 202→sink p50 at ${options.rate}/s | p99 | max | send→202 p50 | p99 | sustained events/s | exactly once | runs durable |`,
  );
  console.log('|---|--:|--:|--:|--:|--:|--:|:-:|:-:|');
  for (const o of outcomes) {
    console.log(
      `| ${o.label} | ${o.p50.toFixed(1)} ms | ${o.p99.toFixed(1)} ms | ${o.max.toFixed(1)} ms | ${o.answerP50.toFixed(1)} ms | ${o.answerP99.toFixed(1)} ms | ${o.sustained >= options.steps[options.steps.length - 1]! ? '≥ ' : ''}${o.sustained} | ${o.exactlyOnce ? 'yes' : 'NO'} | ${o.allSucceeded ? 'yes' : 'NO'} |`,
    );
  }
  const sqlite = outcomes.find((o) => o.label.startsWith('SQLite') && !o.label.includes('baseline'));
  const met = !sqlite || (sqlite.p50 <= TARGET_P50_MS && sqlite.p99 <= TARGET_P99_MS && sqlite.sustained >= TARGET_SUSTAINED);
  if (sqlite)
    console.log(
      `\nTargets (SQLite): p50 ≤ ${TARGET_P50_MS} ms, p99 ≤ ${TARGET_P99_MS} ms at ${options.rate}/s; sustained ≥ ${TARGET_SUSTAINED}/s: ${met ? 'met' : 'MISSED'}`,
    );
  return met && outcomes.every((o) => o.exactlyOnce && o.allSucceeded) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
