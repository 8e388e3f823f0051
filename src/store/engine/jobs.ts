import { uuidv7 } from '../../core/ids.js';
import type { ShiplineEvent } from '../../core/vocabulary.js';
import type { Db, SqlRunner } from '../database.js';
import { eventData } from '../deploy-events.js';
import { JOBS_CHANNEL } from './dispatch.js';
import { placeholders } from '../sql.js';
import { parseStepJobKey, stepJobKey } from './run-state.js';
import { takeOverRuns } from './run-leases.js';

export type JobKind = 'step' | 'resume' | 'timeout' | 'poll';

export interface ClaimedJob {
  id: string;
  kind: JobKind;
  runId: string;
  stepId: string;
  payload: unknown;
  run: { id: string; reaction: string; version: number; eventId: string; status: string };
  step: {
    status: string;
    attempt: number;
    waitState: unknown;
    logs: string[];
    attempts: AttemptRecord[];
    input: unknown;
    /** When the step's wait times out (null: no deadline); a failing poll is retried until then. */
    waitDeadline?: string | null;
  };
  event: ShiplineEvent;
  /** Outputs of the run's steps so far, for `steps.<id>.output` in templates. */
  outputs: Record<string, { output: unknown }>;
  /** Handed over at its run's creation: it never ran before, so no wait of an earlier attempt can linger. */
  fresh?: boolean;
  /**
   * Handed over without a row of its own: its run's row holds its lease, for this owner, until
   * its outcome stores it (0046).
   */
  leasedBy?: string;
}

export interface AttemptRecord {
  attempt: number;
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
}

type JobRow = { id: string; kind: string; run_id: string; step_id: string; payload: string | null };
type RunRow = { id: string; reaction: string; reaction_version: number | string; event_id: string; status: string };
type StepRow = {
  run_id: string;
  step_id: string;
  status: string;
  attempt: number | string;
  output: string | null;
  wait_state: string | null;
  wait_deadline: string | null;
  logs: string;
  attempts: string;
  input: string | null;
};
type EventRow = { id: string; type: string; source: string; occurred_at: string; data: string };

const parse = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

/**
 * Claims due work for `owner` with a lease: queued steps (their execution rows, marked running
 * with a new attempt in the same statement) and due jobs of waiting steps. Returns each with what
 * executing it needs: run, step, event and the run's earlier outputs. A lease that runs out (a
 * crashed worker) makes it claimable again; a first step leased by its run's row is stored
 * pending first (`takeOver`), then claimed.
 */
export async function claimJobs(
  db: Db,
  owner: string,
  limit: number,
  leaseMs: number,
  now = new Date(),
  /** Also take over runs whose first step's lease ran out (default true; see `takeOverRuns`). */
  takeOver = true,
): Promise<ClaimedJob[]> {
  const nowIso = now.toISOString();
  const until = new Date(now.getTime() + leaseMs).toISOString();
  return db.transaction(
    async (run) => {
      // First steps whose process died before storing them: stored pending, then claimed below.
      if (takeOver) await takeOverRuns(run, nowIso, nowIso, limit);
      const starting = await run.query<{ run_id: string; step_id: string }>(
        `UPDATE step_executions SET status = 'running', attempt = attempt + 1, started_at = COALESCE(started_at, ?), locked_by = ?, locked_until = ?
         WHERE (run_id, step_id) IN (
           SELECT run_id, step_id FROM step_executions WHERE run_at <= ? AND (locked_until IS NULL OR locked_until < ?)
             AND status IN ('pending', 'running') ORDER BY run_at LIMIT ?${db.skipLocked}
         ) RETURNING run_id, step_id`,
        [nowIso, owner, until, nowIso, nowIso, limit],
      );
      const jobs: JobRow[] = starting.map((s) => ({
        id: stepJobKey(s.run_id, s.step_id),
        kind: 'step',
        run_id: s.run_id,
        step_id: s.step_id,
        payload: null,
      }));
      if (jobs.length < limit) {
        jobs.push(
          ...(await run.query<JobRow>(
            `UPDATE jobs SET locked_by = ?, locked_until = ? WHERE id IN (
             SELECT id FROM jobs WHERE run_at <= ? AND (locked_until IS NULL OR locked_until < ?) ORDER BY run_at, id LIMIT ?${db.skipLocked}
           ) RETURNING id, kind, run_id, step_id, payload`,
            [owner, until, nowIso, nowIso, limit - jobs.length],
          )),
        );
      }
      if (jobs.length === 0) return [];
      const runIds = [...new Set(jobs.map((j) => j.run_id))];
      const runs = new Map(
        (
          await run.query<RunRow & EventRow>(
            `SELECT r.id, r.reaction, r.reaction_version, r.event_id, r.status, e.type, e.source, e.occurred_at, e.data
             FROM runs r JOIN events e ON e.id = r.event_id WHERE r.id IN (${placeholders(runIds.length)})`,
            runIds,
          )
        ).map((r) => [r.id, r]),
      );
      const steps = await run.query<StepRow>(
        `SELECT run_id, step_id, status, attempt, output, wait_state, wait_deadline, logs, attempts, input FROM step_executions WHERE run_id IN (${placeholders(runIds.length)})`,
        runIds,
      );
      // Each run's event as stored (a compact deploy.recorded rebuilt from its deploy), read once per event.
      const eventRows = [...new Map([...runs.values()].map((r) => [r.event_id, r])).values()];
      const eventDataRead = await eventData(
        run,
        eventRows.map((r) => r.data),
      );
      const events = new Map<string, ShiplineEvent>(
        eventRows.map((r, i) => [
          r.event_id,
          { id: r.event_id, type: r.type, source: r.source, timestamp: r.occurred_at, data: eventDataRead[i] },
        ]),
      );
      const eventOf = (r: RunRow & EventRow): ShiplineEvent => events.get(r.event_id)!;
      const claimed: ClaimedJob[] = [];
      for (const job of jobs) {
        const r = runs.get(job.run_id);
        const runSteps = steps.filter((s) => s.run_id === job.run_id);
        const step = runSteps.find((s) => s.step_id === job.step_id);
        if (!r || !step) {
          // The run or step is gone (deleted by hand): nothing left to do for this job.
          if (job.kind !== 'step') await run.query('DELETE FROM jobs WHERE id = ?', [job.id]);
          continue;
        }
        const outputs: Record<string, { output: unknown }> = {};
        for (const s of runSteps) if (s.status === 'succeeded' || s.status === 'failed') outputs[s.step_id] = { output: parse(s.output) };
        claimed.push({
          id: job.id,
          kind: job.kind as JobKind,
          runId: job.run_id,
          stepId: job.step_id,
          payload: parse(job.payload),
          run: { id: r.id, reaction: r.reaction, version: Number(r.reaction_version), eventId: r.event_id, status: r.status },
          step: {
            status: step.status,
            attempt: Number(step.attempt),
            waitState: parse(step.wait_state),
            waitDeadline: step.wait_deadline,
            logs: JSON.parse(step.logs) as string[],
            attempts: JSON.parse(step.attempts) as AttemptRecord[],
            input: parse(step.input),
          },
          event: eventOf(r),
          outputs,
        });
      }
      return claimed;
      // A claim lost in a crash is harmless (the work is claimed again), so it need not wait for the disk.
    },
    { lazy: true },
  );
}

const FREE = '(locked_until IS NULL OR locked_until < ?)';

/**
 * When the earliest queued step or job not leased becomes due (null: none), to sleep until then.
 * Read in index order, so each read stops at the first free one. Expiring leases of other
 * processes are left to the engine's safety poll.
 */
export async function nextDueAt(db: Db, now = new Date()): Promise<string | null> {
  const nowIso = now.toISOString();
  const [job, step] = await db.transaction(async (run) => [
    ...(await run.query<{ run_at: string }>(`SELECT run_at FROM jobs WHERE ${FREE} ORDER BY run_at, id LIMIT 1`, [nowIso])),
    ...(await run.query<{ run_at: string }>(
      `SELECT run_at FROM step_executions WHERE run_at IS NOT NULL AND ${FREE} ORDER BY run_at LIMIT 1`,
      [nowIso],
    )),
  ]);
  const times = [job?.run_at, step?.run_at].filter((t): t is string => t !== undefined);
  return times.length === 0 ? null : times.sort()[0]!;
}

/**
 * Extends this owner's leases on steps and jobs still in flight, and on the runs whose rows hold
 * the leases of first steps not stored yet (`leasedRuns`).
 */
export async function renewLeases(db: Db, owner: string, jobIds: string[], leaseMs: number, leasedRuns: string[] = []): Promise<void> {
  const until = new Date(Date.now() + leaseMs).toISOString();
  const steps = jobIds.flatMap((id) => parseStepJobKey(id) ?? []);
  const others = jobIds.filter((id) => !parseStepJobKey(id));
  await db.transaction(async (run) => {
    if (steps.length > 0)
      await run.query(
        `UPDATE step_executions SET locked_until = ? WHERE locked_by = ? AND (run_id, step_id) IN (VALUES ${steps.map(() => '(?, ?)').join(', ')})`,
        [until, owner, ...steps.flatMap((s) => [s.runId, s.stepId])],
      );
    if (others.length > 0)
      await run.query(`UPDATE jobs SET locked_until = ? WHERE locked_by = ? AND id IN (${placeholders(others.length)})`, [
        until,
        owner,
        ...others,
      ]);
    if (leasedRuns.length > 0)
      await run.query(`UPDATE runs SET locked_until = ? WHERE locked_by = ? AND id IN (${placeholders(leasedRuns.length)})`, [
        until,
        owner,
        ...leasedRuns,
      ]);
  });
}

/** Forgets leases held by a previous life of this process (SQLite: one process owns the queue). */
export async function releaseAllLeases(db: Db): Promise<void> {
  await db.transaction(async (run) => {
    await run.query('UPDATE jobs SET locked_by = NULL, locked_until = NULL WHERE locked_by IS NOT NULL');
    await run.query('UPDATE step_executions SET locked_by = NULL, locked_until = NULL WHERE run_at IS NOT NULL AND locked_by IS NOT NULL');
    // First steps handed over and never stored: queued now, as pending steps.
    const now = new Date().toISOString();
    while ((await takeOverRuns(run, null, now, 1000)) > 0);
  });
}

/** Enqueues a resume of a waiting step by a signal (e.g. an approval), if it waits on `key`. */
export async function signalWait(run: SqlRunner, key: string, payload: unknown, now: string): Promise<number> {
  const waiting = await run.query<{ run_id: string; step_id: string }>('SELECT run_id, step_id FROM wait_keys WHERE key = ?', [key]);
  for (const w of waiting) {
    await run.query(
      `INSERT INTO jobs (id, kind, run_id, step_id, run_at, payload, job_key, locked_by, locked_until, created_at)
       VALUES (?, 'resume', ?, ?, ?, ?, ?, NULL, NULL, ?) ON CONFLICT (job_key) DO NOTHING`,
      [uuidv7(), w.run_id, w.step_id, now, JSON.stringify({ kind: 'signal', key, payload }), `resume:${w.run_id}:${w.step_id}:${key}`, now],
    );
  }
  if (waiting.length > 0) await run.notify(JOBS_CHANNEL);
  return waiting.length;
}
