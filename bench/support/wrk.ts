// wrk as the load generator: a C program with one event loop per thread, which stays far from
// saturating a core where a Node load generator would compete with the server for the CPU.
// Installed from Debian's archive when missing, as .ci/run installs Chromium.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = path.join(fileURLToPath(new URL('..', import.meta.url)), 'wrk-deploy.lua');

function hasWrk(): boolean {
  return !spawnSync('wrk', ['--version']).error;
}

/** Installs Debian's wrk with apt-get (through sudo when not root) unless it is already on PATH. */
export function ensureWrk(): void {
  if (hasWrk()) return;
  console.log('wrk is missing: installing it with apt-get');
  const asRoot = process.getuid?.() === 0 ? [] : ['sudo'];
  const apt = (...args: string[]) => {
    const [cmd, ...rest] = [...asRoot, 'apt-get', ...args];
    execFileSync(cmd!, rest, { stdio: 'inherit' });
  };
  try {
    apt('install', '-y', '-q', 'wrk');
  } catch {
    apt('update', '-q');
    apt('install', '-y', '-q', 'wrk');
  }
  if (!hasWrk()) throw new Error('wrk is still not on PATH after apt-get install wrk');
}

/** What one wrk run measured, from the JSON line bench/wrk-deploy.lua prints at its end. */
export interface WrkRun {
  seconds: number;
  /** Responses read, whatever their status. */
  requests: number;
  /** Responses with a status of 400 or more (wrk counts these; the webhook sends no 1xx or 3xx). */
  non2xx: number;
  /** Connect, read and write errors and timeouts. */
  socketErrors: number;
  /** wrk's own CPU time (all its threads), in seconds. */
  wrkCpuSeconds: number;
  /** 1,000 evenly spaced quantiles of the latency, in µs. */
  quantilesUs: number[];
}

interface WrkJson {
  duration_us: number;
  requests: number;
  connect: number;
  read: number;
  write: number;
  status: number;
  timeout: number;
  cpu_s: number;
  quantiles_us: number[];
}

export interface WrkOptions {
  url: string;
  seconds: number;
  connections: number;
  threads: number;
  /** Makes every dedup_id of this run unique across the whole benchmark. */
  idPrefix: string;
}

/** One wrk run of POSTs with unique deploys; rejects if wrk fails or prints no result. */
export function runWrk(options: WrkOptions): Promise<WrkRun> {
  const args = [
    `-t${options.threads}`,
    `-c${options.connections}`,
    `-d${options.seconds}s`,
    '--timeout',
    '10s',
    '-s',
    SCRIPT,
    options.url,
    '--',
    options.idPrefix,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('WRK_RESULT '));
      if (code !== 0 || !line) return reject(new Error(`wrk exited with ${code}:\n${out.slice(-2000)}`));
      const r = JSON.parse(line.slice('WRK_RESULT '.length)) as WrkJson;
      resolve({
        seconds: r.duration_us / 1e6,
        requests: r.requests,
        non2xx: r.status,
        socketErrors: r.connect + r.read + r.write + r.timeout,
        wrkCpuSeconds: r.cpu_s,
        quantilesUs: r.quantiles_us,
      });
    });
  });
}

/**
 * A percentile of several runs together: each run's quantiles stand for equal shares of its
 * requests, so a run with twice the requests weighs twice as much. Exact to within one quantile step.
 */
export function mergedPercentileMs(runs: readonly WrkRun[], p: number): number {
  const points: Array<[number, number]> = [];
  for (const run of runs) {
    const weight = run.requests / Math.max(1, run.quantilesUs.length);
    for (const q of run.quantilesUs) points.push([q, weight]);
  }
  if (points.length === 0) return Number.NaN;
  points.sort((a, b) => a[0] - b[0]);
  const total = points.reduce((a, [, w]) => a + w, 0);
  let seen = 0;
  for (const [q, w] of points) {
    seen += w;
    if (seen >= (p / 100) * total) return q / 1000;
  }
  return points[points.length - 1]![0] / 1000;
}
