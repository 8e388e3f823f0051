// Ingest benchmark: how many deploy webhooks per second Shipline commits, compared with a bare
// Fastify 5 server on the same machine answering the same requests (the ceiling).
//
//   npm run bench:ingest [-- --duration 15 --warmup 5 --connections 50 --rounds 3]
//
// The measured time is cut into rounds that alternate between the bare server and Shipline
// (bare, Shipline, bare, Shipline, ...), so both see the same machine even when a shared host
// speeds up or slows down during the run; the ratio is over the rounds' totals.
//
// With SHIPLINE_TEST_DATABASE_URL set, Shipline is measured on PostgreSQL as well, in a fresh
// database created and dropped by this script. Not part of `npm test`: it takes about a minute
// per server and its numbers depend on the machine.
//
// The exit code is 1 when any check fails (a target missed, a non-2xx or error seen, fewer
// deploys stored than acknowledged, a server that would not start), so it can gate a release.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import type { Request as CannonRequest, Result as CannonResult } from 'autocannon';
import Database from 'better-sqlite3';
import pg from 'pg';
import { startServer } from '../test/support/server-process.js';
import { spawnServer } from '../test/support/child-server.js';
import type { ServerChild } from '../test/support/child-server.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

// The targets docs/performance.md promises for the embedded (SQLite) store; see the summary at the end.
const MIN_RATIO = 0.35;
const MAX_P99_MS = 25;

// ---------------------------------------------------------------------------------------------
// Options

interface Options {
  duration: number;
  warmup: number;
  connections: number;
  /** Alternating rounds the measured duration is cut into, per server. */
  rounds: number;
}

const USAGE = 'usage: npm run bench:ingest -- [--duration <s>] [--warmup <s>] [--connections <n>] [--rounds <n>]';

/** Only four numeric flags, so a loop beats a dependency. Accepts `--flag n` and `--flag=n`. */
function parseArgs(argv: readonly string[]): Options {
  const options: Options = { duration: 15, warmup: 5, connections: 50, rounds: 3 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    }
    const match = /^--(duration|warmup|connections|rounds)(?:=(.*))?$/.exec(arg);
    if (!match) throw new Error(`unknown argument '${arg}'\n${USAGE}`);
    const name = match[1] as keyof Options;
    const raw = match[2] ?? argv[++i];
    const value = Number(raw);
    const ok =
      name === 'connections'
        ? Number.isInteger(value) && value >= 1 && value <= 10_000
        : name === 'warmup'
          ? Number.isInteger(value) && value >= 0 && value <= 600
          : name === 'rounds'
            ? Number.isInteger(value) && value >= 1 && value <= 60
            : Number.isInteger(value) && value >= 1 && value <= 600;
    if (raw === undefined || !ok) throw new Error(`--${name} needs a whole number in range, got '${raw ?? ''}'\n${USAGE}`);
    options[name] = value;
  }
  if (options.duration < options.rounds) throw new Error(`--duration must be at least one second per round\n${USAGE}`);
  return options;
}

// ---------------------------------------------------------------------------------------------
// Cleanup: every server and temp resource registers how to undo itself, so a failure or a
// Ctrl-C at any point still stops what we started (by pid) and removes what we created.

class Cleanup {
  private entries: Array<{ what: string; fn: () => Promise<void> | void }> = [];
  private draining: Promise<void> = Promise.resolve();

  add(what: string, fn: () => Promise<void> | void): void {
    this.entries.push({ what, fn });
  }

  /**
   * Runs everything still registered, newest first, each once. Chained, so a Ctrl-C during a
   * regular cleanup waits for the stop already under way instead of exiting in the middle of it.
   */
  all(): Promise<void> {
    return this.downTo(0);
  }

  /** How many entries are registered: `downTo(mark)` later undoes only what came after. */
  mark(): number {
    return this.entries.length;
  }

  /** Runs the entries registered after `mark`, newest first, each once. */
  downTo(mark: number): Promise<void> {
    this.draining = this.draining.then(async () => {
      while (this.entries.length > mark) {
        const entry = this.entries.pop()!;
        try {
          await entry.fn();
        } catch (err) {
          console.error(`cleanup of ${entry.what} failed:`, err);
        }
      }
    });
    return this.draining;
  }
}

const cleanup = new Cleanup();
/** Set on Ctrl-C, when servers going away is expected rather than news. */
let interrupted = false;

// ---------------------------------------------------------------------------------------------
// Load

// The OpsLevel-style body, cut around its two varying fields. Concatenation instead of
// JSON.stringify per request: the load generator shares this machine with the servers, and
// every microsecond it spends is one the servers cannot use. Ids and ISO dates need no escaping.
const BODY_HEAD = '{"service":"checkout","description":"Deployed by CI","deployed_at":"';
const BODY_MID = '","environment":"Production","deployer":{"email":"ci@example.com","name":"CI"},"dedup_id":"';
const BODY_TAIL = '"}';

function deployBody(dedupId: string): string {
  return `${BODY_HEAD}${new Date().toISOString()}${BODY_MID}${dedupId}${BODY_TAIL}`;
}

interface LoadResult {
  seconds: number;
  /** Mean of autocannon's per-second samples. */
  requestsPerSec: number;
  /** From our own record of every response time: autocannon's histogram rounds to whole ms. */
  p50Ms: number;
  p99Ms: number;
  ok2xx: number;
  accepted202: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  /** Share of CPU time the host took from this VM during the run (see cpuTimes). */
  steal: number | undefined;
  /** Every response time, sorted, so rounds can be merged. */
  latencies: Float64Array;
}

/**
 * CPU time the hypervisor gave to other guests while this machine's vCPUs wanted to run ("steal"
 * in /proc/stat), as a share of all CPU time. On a shared VM it swings from run to run and
 * distorts a comparison of two runs taken one after the other; undefined where not reported.
 */
function cpuTimes(): { steal: number; total: number } | undefined {
  try {
    const fields = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal (guest time is already inside user)
    const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
    return { steal: fields[7] ?? 0, total };
  } catch {
    return undefined;
  }
}

function stealBetween(before: ReturnType<typeof cpuTimes>, after: ReturnType<typeof cpuTimes>): number | undefined {
  if (!before || !after || after.total <= before.total) return undefined;
  return (after.steal - before.steal) / (after.total - before.total);
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/**
 * One autocannon run against `POST <url><urlPath>`. Every request gets the next dedup id
 * `<idPrefix>-<n>` from a counter shared by all connections of the run, so no two requests of
 * the whole benchmark carry the same id as long as prefixes differ. If the server exits
 * mid-run the run is stopped early instead of hammering a closed port until the timer ends.
 */
function runLoad(server: ServerChild, urlPath: string, seconds: number, connections: number, idPrefix: string): Promise<LoadResult> {
  let counter = 0;
  const request: CannonRequest = {
    method: 'POST',
    path: urlPath,
    headers: { 'content-type': 'application/json' },
    // autocannon calls this for each request it is about to send, on a fresh copy.
    setupRequest: (req) => ({ ...req, body: deployBody(`${idPrefix}-${++counter}`) }),
  };
  let latencies = new Float64Array(1 << 16);
  let recorded = 0;

  const before = cpuTimes();
  return new Promise<LoadResult>((resolve, reject) => {
    let finished = false;
    const instance = autocannon(
      { url: server.url, connections, duration: seconds, requests: [request] },
      (err: unknown, result: CannonResult) => {
        finished = true;
        if (err) return reject(err instanceof Error ? err : new Error(String(err)));
        const sorted = latencies.subarray(0, recorded).sort();
        const statusCodes: Record<string, number> = {};
        for (const [code, stats] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = stats.count ?? 0;
        resolve({
          seconds: result.duration,
          requestsPerSec: result.requests.average,
          p50Ms: percentile(sorted, 50),
          p99Ms: percentile(sorted, 99),
          ok2xx: result['2xx'],
          accepted202: statusCodes['202'] ?? 0,
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          statusCodes,
          steal: stealBetween(before, cpuTimes()),
          latencies: sorted,
        });
      },
    );
    instance.on('response', (_client, _status: number, _bytes: number, responseTimeMs: number) => {
      if (recorded === latencies.length) {
        const bigger = new Float64Array(latencies.length * 2);
        bigger.set(latencies);
        latencies = bigger;
      }
      latencies[recorded++] = responseTimeMs;
    });
    void server.exited.then(({ code, signal }) => {
      if (finished || interrupted) return;
      console.error(`\n!!! ${server.name} exited during the run (code ${code}, signal ${signal}): stopping the load`);
      instance.stop();
    });
  });
}

/** One request before the load, so a rejected body shows its error instead of N non-2xx. */
async function smokeRequest(server: ServerChild, urlPath: string, dedupId: string): Promise<void> {
  const res = await fetch(`${server.url}${urlPath}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: deployBody(dedupId),
  });
  const text = await res.text();
  if (res.status !== 202) {
    throw new Error(`${server.name}: a single deploy POST answered ${res.status}, expected 202: ${text.slice(0, 500)}`);
  }
}

interface Measurement {
  warmup: LoadResult | undefined;
  measured: LoadResult;
  /** 202s seen in total: the smoke request, warm-up and measured rounds. */
  accepted202: number;
}

/** One request, then the warm-up; returns the warm-up (discarded from the figures). */
async function warmUp(server: ServerChild, urlPath: string, options: Options, idPrefix: string): Promise<LoadResult | undefined> {
  await smokeRequest(server, urlPath, `${idPrefix}-smoke`);
  if (options.warmup === 0) return undefined;
  process.stdout.write(`  warm-up  ${options.warmup} s ... `);
  const warmup = await runLoad(server, urlPath, options.warmup, options.connections, `${idPrefix}-w`);
  console.log(`${fmtInt(warmup.ok2xx)} 2xx, ${warmup.non2xx} non-2xx, ${warmup.errors} errors (discarded)`);
  return warmup;
}

/** Several runs as one: counts added, rates weighted by time, percentiles over every response. */
function combine(runs: readonly LoadResult[]): LoadResult {
  const seconds = runs.reduce((a, r) => a + r.seconds, 0);
  const latencies = new Float64Array(runs.reduce((a, r) => a + r.latencies.length, 0));
  let at = 0;
  for (const r of runs) {
    latencies.set(r.latencies, at);
    at += r.latencies.length;
  }
  latencies.sort();
  const statusCodes: Record<string, number> = {};
  for (const r of runs) for (const [code, n] of Object.entries(r.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + n;
  const sum = (pick: (r: LoadResult) => number) => runs.reduce((a, r) => a + pick(r), 0);
  return {
    seconds,
    requestsPerSec: sum((r) => r.requestsPerSec * r.seconds) / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    ok2xx: sum((r) => r.ok2xx),
    accepted202: sum((r) => r.accepted202),
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    statusCodes,
    steal: runs.some((r) => r.steal === undefined) ? undefined : sum((r) => r.steal! * r.seconds) / seconds,
    latencies,
  };
}

function describeRun(r: LoadResult): string {
  return (
    `${fmtInt(r.requestsPerSec)} req/s, p50 ${fmtMs(r.p50Ms)} ms, p99 ${fmtMs(r.p99Ms)} ms, ` +
    `${fmtInt(r.ok2xx)} 2xx, ${r.non2xx} non-2xx, ${r.errors} errors (${r.timeouts} timeouts)` +
    `${r.steal === undefined ? '' : `, host steal ${fmtPct(r.steal)}`}`
  );
}

interface Target {
  name: string;
  server: ServerChild;
  urlPath: string;
  idPrefix: string;
}

/**
 * The measured rounds, alternating: the bare server, then Shipline, as many times as asked. A
 * slower machine in one round slows both servers' rounds next to it, not one server's whole run.
 */
async function measureAlternating(bare: Target, shipline: Target, options: Options): Promise<{ bare: LoadResult; shipline: LoadResult }> {
  const seconds = Math.max(1, Math.round(options.duration / options.rounds));
  const bareRuns: LoadResult[] = [];
  const shiplineRuns: LoadResult[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    for (const [target, runs] of [
      [bare, bareRuns],
      [shipline, shiplineRuns],
    ] as const) {
      process.stdout.write(`  round ${round}/${options.rounds} ${target.name.padEnd(20)} ${seconds} s ... `);
      const result = await runLoad(target.server, target.urlPath, seconds, options.connections, `${target.idPrefix}-m${round}`);
      console.log(describeRun(result));
      runs.push(result);
    }
  }
  return { bare: combine(bareRuns), shipline: combine(shiplineRuns) };
}

// ---------------------------------------------------------------------------------------------
// Servers

async function stopServer(server: ServerChild): Promise<string> {
  const wasRunning = server.running();
  const { code, signal } = await server.stop();
  if (!wasRunning) return `had already exited (code ${code}, signal ${signal})`;
  return code === 0 ? 'stopped cleanly (exit 0)' : `stopped with code ${code}, signal ${signal}`;
}

async function startBare(): Promise<ServerChild> {
  const server = await spawnServer({
    name: 'bare Fastify',
    args: ['--import', 'tsx', path.join(ROOT, 'bench', 'bare-server.ts')],
    cwd: ROOT,
    env: process.env,
    ready: /Bare Fastify listening on (http:\/\/\S+)/,
    readyTimeoutMs: 20_000,
  });
  cleanup.add('bare Fastify server', () => server.stop().then(() => undefined));
  return server;
}

interface ShiplineStart {
  server: ServerChild;
  adminToken: string;
}

async function startShipline(label: string, dataDir: string, databaseUrl: string | undefined): Promise<ShiplineStart> {
  // 40 characters from [A-Za-z0-9_-]: base64url of 30 random bytes.
  const adminToken = randomBytes(30).toString('base64url');
  // startServer gives the child only these settings: a developer's own SHIPLINE_* or
  // DATABASE_URL must not change what is measured.
  const server = await startServer({ name: `Shipline (${label})`, dataDir, databaseUrl, adminToken, readyTimeoutMs: 30_000 });
  cleanup.add(`Shipline (${label}) server`, () => server.stop().then(() => undefined));
  return { server, adminToken };
}

async function adminPost(server: ServerChild, token: string, urlPath: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${server.url}${urlPath}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`POST ${urlPath} answered ${res.status}, expected 201: ${text.slice(0, 500)}`);
  return JSON.parse(text) as Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// Stores

function countSqliteDeploys(dataDir: string): number {
  const db = new Database(path.join(dataDir, 'shipline.db'), { fileMustExist: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM deploys').get() as { n: number }).n;
  } finally {
    db.close();
  }
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

/** Creates an empty database next to the test one; returns its URL and how to drop it. */
async function createPgDatabase(baseUrl: string, name: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const supportsForce = await withPg(baseUrl, async (client) => {
    await client.query(`CREATE DATABASE "${name}"`);
    const { rows } = await client.query<{ v: string }>('SHOW server_version_num');
    return Number(rows[0]?.v) >= 130000;
  });
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  // FORCE ends connections a killed server may have left behind; older servers lack it.
  const drop = () =>
    withPg(baseUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}"${supportsForce ? ' WITH (FORCE)' : ''}`)).then(
      () => undefined,
    );
  return { url: url.toString(), drop };
}

function redactUrl(raw: string): string {
  const url = new URL(raw);
  if (url.password) url.password = '***';
  return url.toString();
}

// ---------------------------------------------------------------------------------------------
// Shipline runs

interface Check {
  name: string;
  pass: boolean;
  detail: string;
}

interface ShiplineOutcome {
  label: string;
  storeLine: string;
  measurement: Measurement | undefined;
  /** The bare server's rounds that alternated with this run's: its ceiling. */
  bare: LoadResult | undefined;
  stored: number | undefined;
  checks: Check[];
  failure: string | undefined;
}

type StoreKind = { kind: 'sqlite' } | { kind: 'postgres'; baseUrl: string };

async function benchShipline(
  label: string,
  store: StoreKind,
  options: Options,
  idPrefix: string,
  bareTarget: Target,
): Promise<ShiplineOutcome> {
  const outcome: ShiplineOutcome = {
    label,
    storeLine: '',
    measurement: undefined,
    bare: undefined,
    stored: undefined,
    checks: [],
    failure: undefined,
  };
  const mark = cleanup.mark();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipline-bench-'));
  cleanup.add(`temp dir ${dataDir}`, () => fs.rmSync(dataDir, { recursive: true, force: true }));
  try {
    let databaseUrl: string | undefined;
    if (store.kind === 'postgres') {
      const name = `shipline_bench_${randomBytes(6).toString('hex')}`;
      const created = await createPgDatabase(store.baseUrl, name);
      databaseUrl = created.url;
      cleanup.add(`database ${name}`, created.drop);
      console.log(`  created database ${redactUrl(created.url)}`);
    }

    const { server, adminToken } = await startShipline(label, dataDir, databaseUrl);
    outcome.storeLine = server.readyLine;
    console.log(`  ${server.readyLine} (pid ${server.pid})`);
    const endpoint = await adminPost(server, adminToken, '/api/v1/deploy-endpoints', { name: 'bench' });
    if (typeof endpoint.id !== 'string') throw new Error(`deploy endpoint without an id: ${JSON.stringify(endpoint)}`);
    await adminPost(server, adminToken, '/api/v1/services', { name: 'checkout' });

    const urlPath = `/integrations/deploy/${endpoint.id}`;
    const warmup = await warmUp(server, urlPath, options, idPrefix);
    const rounds = await measureAlternating(bareTarget, { name: `Shipline (${label})`, server, urlPath, idPrefix }, options);
    const measurement: Measurement = {
      warmup,
      measured: rounds.shipline,
      accepted202: 1 + (warmup?.accepted202 ?? 0) + rounds.shipline.accepted202,
    };
    outcome.measurement = measurement;
    outcome.bare = rounds.bare;
    const bare = rounds.bare;
    console.log(`  bare     ${describeRun(bare)}`);
    console.log(`  Shipline ${describeRun(rounds.shipline)}`);
    const stopped = await stopServer(server);
    console.log(`  server ${stopped}`);

    // Counted with the server stopped: whatever it acknowledged must have survived shutdown.
    outcome.stored =
      store.kind === 'sqlite'
        ? countSqliteDeploys(dataDir)
        : await withPg(databaseUrl!, async (client) => {
            const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM deploys');
            return Number(rows[0]?.n);
          });

    const m = measurement.measured;
    const ratio = m.requestsPerSec / bare.requestsPerSec;
    const bad = m.non2xx + m.errors + (measurement.warmup ? measurement.warmup.non2xx + measurement.warmup.errors : 0);
    if (bare.non2xx + bare.errors > 0)
      throw new Error(`the bare server's rounds are not a usable ceiling: ${bare.non2xx} non-2xx, ${bare.errors} errors`);
    // The throughput and latency targets are the embedded store's; PostgreSQL's figures are reported.
    if (store.kind === 'sqlite') {
      outcome.checks.push(
        { name: `throughput >= ${MIN_RATIO * 100}% of bare`, pass: ratio >= MIN_RATIO, detail: fmtPct(ratio) },
        { name: `p99 <= ${MAX_P99_MS} ms`, pass: m.p99Ms <= MAX_P99_MS, detail: `${fmtMs(m.p99Ms)} ms` },
      );
    } else {
      console.log(`  info  throughput vs bare ${fmtPct(ratio)}, p99 ${fmtMs(m.p99Ms)} ms (targets apply to SQLite)`);
    }
    outcome.checks.push(
      { name: 'no non-2xx or errors', pass: bad === 0, detail: `${bad}` },
      {
        name: 'stored deploys >= 202s seen',
        pass: outcome.stored >= measurement.accepted202,
        detail: `${fmtInt(outcome.stored)} stored / ${fmtInt(measurement.accepted202)} acknowledged`,
      },
      { name: 'clean shutdown', pass: stopped === 'stopped cleanly (exit 0)', detail: stopped },
    );
    if (bad > 0) {
      const codes = (r: LoadResult | undefined) => (r ? JSON.stringify(r.statusCodes) : '-');
      console.log(
        [
          '',
          '  !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
          `  !!! WARNING: Shipline (${label}) answered ${bad} deploy(s) with a non-2xx or an error`,
          `  !!! status codes, warm-up: ${codes(measurement.warmup)}, measured: ${codes(m)}`,
          `  !!! errors: warm-up ${measurement.warmup?.errors ?? 0}, measured ${m.errors} (${m.timeouts} timeouts)`,
          '  !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
          '',
        ].join('\n'),
      );
    }
    for (const check of outcome.checks) {
      console.log(`  ${check.pass ? 'PASS' : 'FAIL'}  ${check.name.padEnd(32)} ${check.detail}`);
    }
  } catch (err) {
    outcome.failure = err instanceof Error ? err.message : String(err);
    console.error(`\n!!! Shipline (${label}) benchmark failed: ${outcome.failure}\n`);
  } finally {
    // Newest first: the server (if still up), then its database and data dir; not the bare server.
    await cleanup.downTo(mark);
  }
  return outcome;
}

// ---------------------------------------------------------------------------------------------
// Output

function fmtInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function fmtMs(n: number): string {
  return Number.isFinite(n) ? n.toFixed(2) : '-';
}

function fmtPct(ratio: number): string {
  return `${(ratio * 100).toFixed(1)}%`;
}

function fmtSteal(steal: number | undefined): string {
  return steal === undefined ? '-' : fmtPct(steal);
}

/** Above this share of stolen CPU time the two runs did not get the same machine. */
const STEAL_WARNING = 0.05;

function stealWarning(runs: readonly ShiplineOutcome[]): string | undefined {
  const worst = Math.max(0, ...runs.flatMap((r) => [r.bare?.steal ?? 0, r.measurement?.measured.steal ?? 0]));
  if (worst <= STEAL_WARNING) return undefined;
  return (
    `WARNING: the host took up to ${fmtPct(worst)} of this VM's CPU time during a measured run (steal in /proc/stat). ` +
    'Alternating rounds keep the ratio fair only as long as the machine changes slower than a round; ' +
    `measure again when steal stays under ${fmtPct(STEAL_WARNING)}.`
  );
}

function summaryTable(options: Options, runs: readonly ShiplineOutcome[]): string {
  const cpus = os.cpus();
  const header = [
    `Ingest benchmark: POST /integrations/deploy/:id, autocannon ${options.connections} connections, ` +
      `${options.warmup} s warm-up + ${options.duration} s measured per server in ${options.rounds} alternating rounds, ` +
      'unique dedup_id per request.',
    `Node ${process.version}, ${os.platform()} ${os.arch()}, ${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}; ` +
      'load generator and server on the same machine.',
    '',
    '| Server | req/s | p50 ms | p99 ms | non-2xx | errors | host steal | vs bare (≥ 35%) | p99 ≤ 25 ms | stored ≥ 202s |',
    '|---|--:|--:|--:|--:|--:|--:|--:|:-:|:-:|',
  ];
  const row = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  const lines = [...header];
  for (const run of runs) {
    const m = run.measurement?.measured;
    const bare = run.bare;
    if (!m || !bare || run.failure) {
      lines.push(row([`Shipline (${run.label})`, 'FAILED', '', '', '', '', '', '', '', (run.failure ?? '').split('\n')[0]!.slice(0, 80)]));
      continue;
    }
    const check = (prefix: string) => {
      const c = run.checks.find((x) => x.name.startsWith(prefix));
      return c ? `${c.pass ? 'PASS' : 'FAIL'}` : '';
    };
    lines.push(
      row([
        `bare Fastify 5 (ceiling, rounds beside ${run.label})`,
        fmtInt(bare.requestsPerSec),
        fmtMs(bare.p50Ms),
        fmtMs(bare.p99Ms),
        `${bare.non2xx}`,
        `${bare.errors}`,
        fmtSteal(bare.steal),
        '100%',
        '',
        '',
      ]),
      row([
        `Shipline (${run.label})`,
        fmtInt(m.requestsPerSec),
        fmtMs(m.p50Ms),
        fmtMs(m.p99Ms),
        `${m.non2xx}`,
        `${m.errors}`,
        fmtSteal(m.steal),
        `${fmtPct(m.requestsPerSec / bare.requestsPerSec)} ${check('throughput')}`,
        check('p99'),
        `${check('stored')} (${fmtInt(run.stored ?? 0)}/${fmtInt(run.measurement?.accepted202 ?? 0)})`,
      ]),
    );
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Main

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  // Distinguishes this invocation's dedup ids from any other's, should two runs share a store.
  const runId = `bench-${randomBytes(4).toString('hex')}`;
  const pgBaseUrl = process.env.SHIPLINE_TEST_DATABASE_URL || undefined;
  console.log(
    `Ingest benchmark ${runId}: ${options.connections} connections, ${options.warmup} s warm-up, ${options.duration} s measured` +
      `${pgBaseUrl ? `; PostgreSQL via ${redactUrl(pgBaseUrl)}` : '; SQLite only (set SHIPLINE_TEST_DATABASE_URL for PostgreSQL)'}`,
  );

  // The bare server stays up for the whole run: its rounds alternate with each Shipline's.
  console.log('\nbare Fastify 5 (ceiling)');
  const bareServer = await startBare();
  console.log(`  ${bareServer.readyLine} (pid ${bareServer.pid})`);
  const bareTarget: Target = {
    name: 'bare Fastify',
    server: bareServer,
    urlPath: `/integrations/deploy/${randomBytes(8).toString('hex')}`,
    idPrefix: `${runId}-bare`,
  };
  await warmUp(bareServer, bareTarget.urlPath, options, bareTarget.idPrefix);

  const runs: ShiplineOutcome[] = [];
  console.log('\nShipline (SQLite), alternating with bare Fastify');
  runs.push(await benchShipline('SQLite', { kind: 'sqlite' }, options, `${runId}-sqlite`, bareTarget));
  if (pgBaseUrl) {
    console.log('\nShipline (PostgreSQL), alternating with bare Fastify');
    runs.push(await benchShipline('PostgreSQL', { kind: 'postgres', baseUrl: pgBaseUrl }, options, `${runId}-pg`, bareTarget));
  }
  console.log(`\nbare Fastify server ${await stopServer(bareServer)}`);
  await cleanup.all();

  console.log(`\n${summaryTable(options, runs)}\n`);
  const warning = stealWarning(runs);
  if (warning) console.log(`${warning}\n`);
  const failed = runs.filter((r) => r.failure || r.checks.some((c) => !c.pass));
  console.log(failed.length === 0 ? 'All checks PASS' : `FAIL: ${failed.map((r) => r.label).join(', ')}`);
  return failed.length === 0 ? 0 : 1;
}

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
