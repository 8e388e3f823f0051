import { uuidv7 } from '../../core/ids.js';
import type { ReactionSpec } from '../../core/reactions/document.js';
import type { SqlRunner } from '../database.js';
import { JOBS_CHANNEL } from './dispatch.js';
import type { EventsRepo } from '../events.js';
import type { AttemptRecord } from './jobs.js';
import type { ReactionsRepo } from './reactions.js';
import { clearWait, nextSteps, parseStepJobKey, queueSteps, releaseSlot } from './run-state.js';
import { releaseRunLeases, storeLeasedStep } from './run-leases.js';
import { placeholders } from '../sql.js';

/** What executing a job led to; the engine decides, `applyDecision` makes it durable. */
export type StepDecision =
  | { kind: 'discard'; jobId: string; leasedBy?: string }
  | (StepRecord & { kind: 'end'; channel: string; output: unknown; error: string | null; spec: ReactionSpec })
  | (StepRecord & { kind: 'retry'; runAt: string; error: string })
  | (StepRecord & {
      kind: 'wait';
      state: unknown;
      correlate: string[];
      deadline: string | null;
      pollEveryMs: number | null;
      pollWhenStored: boolean;
    })
  | { kind: 'poll-later'; jobId: string; runAt: string; payload?: unknown }
  // A poll or resume of a waiting step failed on something passing: the same job runs again later.
  | (Pick<StepRecord, 'jobId' | 'runId' | 'stepId' | 'fence' | 'logs'> & { kind: 'wait-retry'; runAt: string; payload: unknown });

interface StepRecord {
  jobId: string;
  runId: string;
  stepId: string;
  /** The step must still be in this state and attempt, or the decision is stale and dropped. */
  fence: { status: 'running' | 'waiting'; attempt: number };
  /** The step never ran before this attempt (handed over at its run's creation): it has no wait keys or timers to clear. */
  fresh?: boolean;
  /** The step has no row yet: its run's row holds its lease for this owner (0046). */
  leasedBy?: string;
  input: unknown;
  logs: string[];
  attempts: AttemptRecord[];
}

const json = (value: unknown) => (value === undefined ? null : JSON.stringify(value));

/**
 * Applies one decision in the caller's transaction: the step's new state and, in the same
 * commit, the jobs it causes (next steps, retries, timers) and the end of its run.
 * Returns false when the decision was stale (the step moved on, e.g. the run was cancelled).
 */
export async function applyDecision(
  run: SqlRunner,
  d: StepDecision,
  deps: { events: EventsRepo; reactions: ReactionsRepo },
  now: string,
): Promise<boolean> {
  if (d.kind === 'discard') {
    if (!d.leasedBy) return discard(run, d.jobId);
    // Nothing to store for a step not stored yet; its run's row leaves the queue.
    await releaseRunLeases(run, [parseStepJobKey(d.jobId)!.runId], d.leasedBy);
    return false;
  }
  if (d.kind === 'poll-later') {
    if (d.payload === undefined)
      await run.query('UPDATE jobs SET run_at = ?, locked_by = NULL, locked_until = NULL WHERE id = ?', [d.runAt, d.jobId]);
    else
      await run.query('UPDATE jobs SET run_at = ?, payload = ?, locked_by = NULL, locked_until = NULL WHERE id = ?', [
        d.runAt,
        json(d.payload),
        d.jobId,
      ]);
    return true;
  }
  if (d.kind === 'wait-retry') {
    // Only the log changes: the step stays waiting with its keys, deadline, timers and attempt.
    const kept = await run.query<{ step_id: string }>(
      'UPDATE step_executions SET logs = ? WHERE run_id = ? AND step_id = ? AND status = ? AND attempt = ? RETURNING step_id',
      [JSON.stringify(d.logs), d.runId, d.stepId, d.fence.status, d.fence.attempt],
    );
    if (kept.length === 0) return discard(run, d.jobId);
    await run.query('UPDATE jobs SET run_at = ?, payload = ?, locked_by = NULL, locked_until = NULL WHERE id = ?', [
      d.runAt,
      json(d.payload),
      d.jobId,
    ]);
    return true;
  }
  // A first step not stored yet gets its row now, as claimed, unless it was taken over or its run
  // cancelled: then the decision is stale, and the row (if any) is not this process's to touch.
  if (d.leasedBy && !(await storeLeasedStep(run, d.runId, d.stepId, d.leasedBy))) return false;
  const fenceSql = 'WHERE run_id = ? AND step_id = ? AND status = ? AND attempt = ? RETURNING step_id';
  const fence = [d.runId, d.stepId, d.fence.status, d.fence.attempt];
  const common = [json(d.input), JSON.stringify(d.logs), JSON.stringify(d.attempts)];

  if (d.kind === 'retry') {
    // Retries are of steps that ran: the step's row queues it again, for later.
    const updated = await run.query<{ step_id: string }>(
      `UPDATE step_executions SET status = 'pending', input = ?, logs = ?, attempts = ?, error = ?, run_at = ?, locked_by = NULL, locked_until = NULL ${fenceSql}`,
      [...common, d.error, d.runAt, ...fence],
    );
    if (updated.length === 0) return discard(run, d.jobId);
    if (!parseStepJobKey(d.jobId)) await run.query('DELETE FROM jobs WHERE id = ?', [d.jobId]);
    await run.notify(JOBS_CHANNEL);
    return true;
  }

  if (d.kind === 'wait') {
    const updated = await run.query<{ step_id: string }>(
      `UPDATE step_executions SET status = 'waiting', input = ?, logs = ?, attempts = ?, wait_state = ?, wait_deadline = ?, ${UNQUEUED} ${fenceSql}`,
      [...common, json(d.state), d.deadline, ...fence],
    );
    if (updated.length === 0) return discard(run, d.jobId);
    await clearWait(run, d.runId, d.stepId);
    await dropJob(run, d.jobId);
    for (const key of new Set(d.correlate)) {
      await run.query('INSERT INTO wait_keys (key, run_id, step_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', [key, d.runId, d.stepId]);
    }
    if (d.deadline) await insertTimer(run, 'timeout', d, d.deadline, now, null);
    if (d.pollEveryMs) {
      const firstPoll = d.pollWhenStored ? now : new Date(Date.parse(now) + d.pollEveryMs).toISOString();
      await insertTimer(run, 'poll', d, firstPoll, now, { pollEveryMs: d.pollEveryMs });
    }
    await run.query(
      "UPDATE runs SET status = 'waiting' WHERE id = ? AND status = 'running' AND NOT EXISTS (SELECT 1 FROM step_executions WHERE run_id = ? AND status IN ('pending', 'running'))",
      [d.runId, d.runId],
    );
    await run.notify(JOBS_CHANNEL);
    return true;
  }

  const status = d.channel === 'failed' ? 'failed' : 'succeeded';
  const updated = await run.query<{ step_id: string }>(
    `UPDATE step_executions SET status = ?, channel = ?, output = ?, error = ?, input = ?, logs = ?, attempts = ?, wait_state = NULL, wait_deadline = NULL, finished_at = ?, ${UNQUEUED} ${fenceSql}`,
    [status, d.channel, json(d.output), d.error, ...common, now, ...fence],
  );
  if (updated.length === 0) return discard(run, d.jobId);
  await clearWait(run, d.runId, d.stepId);
  await dropJob(run, d.jobId);
  const next = nextSteps(d.spec, d.stepId, d.channel);
  if (next.length > 0) {
    await queueSteps(run, d.runId, next, now);
    await run.query("UPDATE runs SET status = 'running' WHERE id = ? AND status = 'waiting'", [d.runId]);
    await run.notify(JOBS_CHANNEL);
    return true;
  }
  await settleRun(run, d.runId, d.spec, deps, now);
  return true;
}

/** A step's row leaves the queue: not due, no lease. */
export const UNQUEUED = 'run_at = NULL, locked_by = NULL, locked_until = NULL';

/** Removes a `jobs` row that was done; a claimed step left the queue in its own update. */
async function dropJob(run: SqlRunner, jobId: string): Promise<void> {
  if (!parseStepJobKey(jobId)) await run.query('DELETE FROM jobs WHERE id = ?', [jobId]);
}

/**
 * Drops work whose decision was stale or that has nothing left to do. A claimed step leaves the
 * queue unless it was queued afresh meanwhile (a retried run).
 */
export async function discard(run: SqlRunner, jobId: string): Promise<false> {
  const step = parseStepJobKey(jobId);
  if (step)
    await run.query(`UPDATE step_executions SET ${UNQUEUED} WHERE run_id = ? AND step_id = ? AND status <> 'pending'`, [
      step.runId,
      step.stepId,
    ]);
  else await run.query('DELETE FROM jobs WHERE id = ?', [jobId]);
  return false;
}

async function insertTimer(
  run: SqlRunner,
  kind: 'timeout' | 'poll',
  d: StepRecord,
  at: string,
  now: string,
  payload: unknown,
): Promise<void> {
  const id = uuidv7();
  await run.query(
    `INSERT INTO jobs (id, kind, run_id, step_id, run_at, payload, job_key, locked_by, locked_until, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?)`,
    [id, kind, d.runId, d.stepId, at, json(payload), `${kind}:${d.runId}:${d.stepId}:${id}`, now],
  );
}

/**
 * Ends the run when no step can still run: `failed` if a step failed with nothing routed on its
 * `failed` channel, else `succeeded`. The end frees the concurrency slot, revokes the run's
 * tokens and stores `run.succeeded` / `run.failed`, so other reactions can chain on it.
 */
export async function settleRun(
  run: SqlRunner,
  runId: string,
  spec: ReactionSpec,
  deps: { events: EventsRepo; reactions: ReactionsRepo },
  now: string,
): Promise<void> {
  const steps = await run.query<{ step_id: string; status: string; channel: string | null }>(
    'SELECT step_id, status, channel FROM step_executions WHERE run_id = ?',
    [runId],
  );
  const verdict = runVerdict(steps, spec);
  if (verdict === 'active') return;
  if (verdict === 'waiting') {
    await run.query("UPDATE runs SET status = 'waiting' WHERE id = ? AND status = 'running'", [runId]);
    return;
  }
  const { status, error } = verdict;
  const [ended] = await run.query<{
    reaction: string;
    reaction_version: number | string;
    event_id: string;
    concurrency_key: string | null;
  }>(
    "UPDATE runs SET status = ?, error = ?, finished_at = ? WHERE id = ? AND status IN ('running', 'waiting') RETURNING reaction, reaction_version, event_id, concurrency_key",
    [status, error, now, runId],
  );
  if (!ended) return;
  await endRun(run, runId, status, ended, deps, now, steps);
}

/**
 * What a run's steps say about the run: `active` while a step can still run, `waiting` while only
 * waiting steps are left, else its end: `failed` if a step failed with nothing routed on its
 * `failed` channel, else `succeeded`.
 */
export function runVerdict(
  steps: readonly { step_id: string; status: string }[],
  spec: ReactionSpec,
): 'active' | 'waiting' | { status: 'succeeded' | 'failed'; error: string | null } {
  if (steps.some((s) => s.status === 'pending' || s.status === 'running')) return 'active';
  if (steps.some((s) => s.status === 'waiting')) return 'waiting';
  const unhandled = steps.filter((s) => s.status === 'failed' && nextSteps(spec, s.step_id, 'failed').length === 0);
  if (unhandled.length === 0) return { status: 'succeeded', error: null };
  return { status: 'failed', error: `step ${unhandled.map((s) => s.step_id).join(', ')} failed` };
}

/** A run that just ended, as `endRuns` needs it. */
export interface EndedRun {
  runId: string;
  status: 'succeeded' | 'failed' | 'cancelled';
  row: { reaction: string; reaction_version: number | string; event_id: string; concurrency_key: string | null };
  steps: readonly { step_id: string; status: string; channel: string | null }[];
}

/** What every end of a run does, whatever ended it (its last step, or a cancel). */
export async function endRun(
  run: SqlRunner,
  runId: string,
  status: 'succeeded' | 'failed' | 'cancelled',
  ended: EndedRun['row'],
  deps: { events: EventsRepo; reactions: ReactionsRepo },
  now: string,
  steps: EndedRun['steps'],
): Promise<void> {
  await endRuns(run, [{ runId, status, row: ended, steps }], deps, now);
}

/**
 * Ends many runs with one statement per table: frees their concurrency slots, revokes their
 * tokens and stores their `run.<status>` events (one dispatch for all of them).
 */
export async function endRuns(
  run: SqlRunner,
  ended: readonly EndedRun[],
  deps: { events: EventsRepo; reactions: ReactionsRepo },
  now: string,
): Promise<void> {
  if (ended.length === 0) return;
  for (const e of ended) {
    if (e.row.concurrency_key === null) continue;
    await releaseSlot(run, e.row.concurrency_key, async (name, version) => (await deps.reactions.version(name, version, run)).spec, now);
    await run.notify(JOBS_CHANNEL);
  }
  await run.query(`UPDATE api_tokens SET revoked_at = ? WHERE run_id IN (${placeholders(ended.length)}) AND revoked_at IS NULL`, [
    now,
    ...ended.map((e) => e.runId),
  ]);
  await deps.events.appendIn(
    run,
    ended.map(({ runId, status, row, steps }) => ({
      type: `run.${status}`,
      source: `reaction:${row.reaction}`,
      data: {
        runId,
        reaction: row.reaction,
        version: Number(row.reaction_version),
        status,
        eventId: row.event_id,
        steps: Object.fromEntries(steps.map((s) => [s.step_id, { status: s.status, channel: s.channel }])),
      },
    })),
    now,
  );
}
