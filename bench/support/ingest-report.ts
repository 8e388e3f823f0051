// bench:ingest's verdicts and table: what each server measured, the targets of
// docs/performance.md checked against it, and the correctness checks that set the exit code.
import type { ServerChild } from '../../test/support/child-server.js';
import type { WrkRun } from './wrk.js';

/** One server under load, and what its rounds measured. */
export interface Subject {
  /** `baseline`, `baseline-postgres`: another build's Shipline (`--baseline`), measured in the same rounds. */
  key: 'bare' | 'reference' | 'baseline' | 'sqlite' | 'baseline-postgres' | 'postgres';
  name: string;
  server: ServerChild;
  /** The full webhook URL wrk posts to. */
  url: string;
  idPrefix: string;
  storeLine: string | undefined;
  /** 2xx answers seen in total: the smoke request, the warm-up and the measured rounds. */
  acknowledged: number;
  /** Non-2xx answers and socket errors during the warm-up. */
  warmupBad: number;
  rounds: Array<{
    wrk: WrkRun;
    cpuUs: number | undefined;
    writeBytes: number | undefined;
    walBytes: number | undefined;
    dbCpuUs: number | undefined;
    /** PostgreSQL: ingest statements (writes of the one service's sequence row). */
    dbBatches: number | undefined;
    steal: number | undefined;
  }>;
  /** Deploys in the store, read with the server stopped. */
  countStored?: () => Promise<number>;
  /** PostgreSQL only: the WAL insert position, in bytes. */
  walPosition?: () => Promise<bigint>;
  /** PostgreSQL only: ingest statements so far (the bench's deploys all go to one service's sequence row). */
  batches?: () => Promise<number>;
  /** PostgreSQL only: the backends serving Shipline. */
  backendPids?: () => Promise<number[]>;
}

/** The measured rounds of one server, taken together. */
export interface SubjectFigures {
  seconds: number;
  requests: number;
  requestsPerSec: number;
  /** Each measured round's req/s, in order: how much the machine moved during the run. */
  roundRequestsPerSec: number[];
  p50Ms: number;
  p99Ms: number;
  /** The server process, all threads. */
  cpuUsPerRequest: number | undefined;
  /** PostgreSQL's backends serving the server. */
  dbCpuUsPerRequest: number | undefined;
  /** write_bytes of the server process per 2xx. */
  writtenPerDeploy: number | undefined;
  /** PostgreSQL: 2xx answers per ingest statement, the batch size. */
  deploysPerBatch: number | undefined;
  /** PostgreSQL WAL generated per 2xx. */
  walPerDeploy: number | undefined;
  non2xx: number;
  socketErrors: number;
  /** wrk's CPU time over the rounds' time: 1 would mean it saturated a core. */
  wrkCoreShare: number;
  steal: number | undefined;
  acknowledged: number;
  stored: number | undefined;
}

export interface Check {
  name: string;
  pass: boolean;
  detail: string;
}

// The targets of docs/performance.md (issue 17's target 1 and 2).
export const TARGETS = {
  sqliteVsReference: 0.6,
  sqliteP99Ms: 10,
  sqliteCpuUs: 30,
  sqliteWrittenBytes: 3000,
  postgresVsSqlite: 0.75,
} as const;

export function fmtInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function fmtMs(n: number): string {
  return Number.isFinite(n) ? n.toFixed(2) : '-';
}

export function fmtPct(ratio: number): string {
  return `${(ratio * 100).toFixed(1)}%`;
}

function fmtOpt(n: number | undefined, digits: number): string {
  return n === undefined || !Number.isFinite(n) ? '-' : n.toFixed(digits);
}

/** Correctness failures (they set the exit code) and every check, targets included. */
export function judge(results: ReadonlyMap<Subject['key'], SubjectFigures>): { checks: Check[]; failures: string[] } {
  const checks: Check[] = [];
  const failures: string[] = [];
  for (const [key, f] of results) {
    const bad = f.non2xx + f.socketErrors;
    checks.push({
      name: `${key}: no non-2xx or socket errors`,
      pass: bad === 0,
      detail: `${f.non2xx} non-2xx, ${f.socketErrors} socket errors`,
    });
    if (bad > 0) failures.push(`${key}: ${f.non2xx} non-2xx answers and ${f.socketErrors} socket errors`);
    if (f.stored !== undefined) {
      const pass = f.stored >= f.acknowledged;
      checks.push({
        name: `${key}: stored >= 2xx seen`,
        pass,
        detail: `${fmtInt(f.stored)} stored / ${fmtInt(f.acknowledged)} acknowledged`,
      });
      if (!pass) failures.push(`${key}: only ${f.stored} deploys stored of ${f.acknowledged} acknowledged`);
    }
  }
  const sqlite = results.get('sqlite');
  const reference = results.get('reference');
  if (sqlite && reference) {
    const ratio = sqlite.requestsPerSec / reference.requestsPerSec;
    checks.push({
      name: `SQLite >= ${TARGETS.sqliteVsReference} of the durable reference`,
      pass: ratio >= TARGETS.sqliteVsReference,
      detail: ratio.toFixed(2),
    });
  }
  if (sqlite) {
    checks.push(
      { name: `SQLite p99 <= ${TARGETS.sqliteP99Ms} ms`, pass: sqlite.p99Ms <= TARGETS.sqliteP99Ms, detail: `${fmtMs(sqlite.p99Ms)} ms` },
      {
        name: `SQLite CPU <= ${TARGETS.sqliteCpuUs} µs per request`,
        pass: (sqlite.cpuUsPerRequest ?? Infinity) <= TARGETS.sqliteCpuUs,
        detail: `${fmtOpt(sqlite.cpuUsPerRequest, 1)} µs`,
      },
      {
        name: `SQLite written <= ${fmtInt(TARGETS.sqliteWrittenBytes)} B per deploy`,
        pass: (sqlite.writtenPerDeploy ?? Infinity) <= TARGETS.sqliteWrittenBytes,
        detail: `${sqlite.writtenPerDeploy === undefined ? '-' : fmtInt(sqlite.writtenPerDeploy)} B`,
      },
    );
  }
  for (const [name, onSqlite, onPostgres] of [
    ['PostgreSQL', sqlite, results.get('postgres')],
    ['baseline PostgreSQL', results.get('baseline'), results.get('baseline-postgres')],
  ] as const) {
    if (!onSqlite || !onPostgres) continue;
    const ratio = onPostgres.requestsPerSec / onSqlite.requestsPerSec;
    checks.push({
      name: `${name} >= ${TARGETS.postgresVsSqlite} of its build's SQLite`,
      pass: ratio >= TARGETS.postgresVsSqlite,
      detail: `${ratio.toFixed(2)}${onPostgres.deploysPerBatch === undefined ? '' : `, ${onPostgres.deploysPerBatch.toFixed(1)} deploys per batch`}`,
    });
  }
  return { checks, failures };
}

/** The markdown table docs/performance.md shows. */
export function ingestTable(results: ReadonlyMap<Subject['key'], SubjectFigures>, subjects: readonly Subject[]): string {
  const bare = results.get('bare');
  const reference = results.get('reference');
  const lines = [
    '| Server | req/s | p50 ms | p99 ms | CPU µs/req | DB CPU µs/req | written B/deploy | ÷ reference | ÷ bare | non-2xx + errors | steal | stored ≥ 2xx |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|:-:|',
  ];
  for (const s of subjects) {
    const f = results.get(s.key)!;
    const written =
      f.walPerDeploy !== undefined ? `${fmtInt(f.walPerDeploy)} WAL` : f.writtenPerDeploy === undefined ? '-' : fmtInt(f.writtenPerDeploy);
    const ratio = (base: SubjectFigures | undefined) => (base && base !== f ? (f.requestsPerSec / base.requestsPerSec).toFixed(2) : '');
    const stored =
      f.stored === undefined ? '' : `${f.stored >= f.acknowledged ? 'yes' : 'NO'} (${fmtInt(f.stored)}/${fmtInt(f.acknowledged)})`;
    lines.push(
      `| ${[
        s.name,
        fmtInt(f.requestsPerSec),
        fmtMs(f.p50Ms),
        fmtMs(f.p99Ms),
        fmtOpt(f.cpuUsPerRequest, 1),
        fmtOpt(f.dbCpuUsPerRequest, 1),
        written,
        s.key === 'bare' || s.key === 'reference' ? '' : ratio(reference),
        ratio(bare),
        `${f.non2xx + f.socketErrors}`,
        f.steal === undefined ? '-' : fmtPct(f.steal),
        stored,
      ].join(' | ')} |`,
    );
  }
  return lines.join('\n');
}
