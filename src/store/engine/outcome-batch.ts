import type { ReactionSpec } from '../../core/reactions/document.js';
import type { SqlRunner } from '../database.js';
import type { EventsRepo } from '../events.js';
import { placeholders } from '../sql.js';
import { JOBS_CHANNEL } from './dispatch.js';
import type { ReactionsRepo } from './reactions.js';
import { INSERT_STEP, nextSteps, parseStepJobKey, queueSteps } from './run-state.js';
import { releaseRunLeases } from './run-leases.js';
import type { EndedRun, StepDecision } from './step-outcomes.js';
import { applyDecision, discard, endRuns, runVerdict, UNQUEUED } from './step-outcomes.js';

type Deps = { events: EventsRepo; reactions: ReactionsRepo };
type StepEnd = Extract<StepDecision, { kind: 'end' }>;

// Each row: run id, step id, attempt (the fence), status, channel, output, error, input, logs, attempts.
const END_ROW = '(?, ?, CAST(? AS INTEGER), ?, ?, ?, ?, ?, ?, ?)';
const endRows = (n: number) => Array.from({ length: n }, () => END_ROW).join(', ');
const json = (value: unknown) => (value === undefined ? null : JSON.stringify(value));

// The same for a step stored only now: the owner of its run's lease in place of the attempt.
const LEASED_ROW = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';

/** A row of END_ROW or LEASED_ROW: `fence` is the attempt, or the lease's owner. */
const endParams = (d: StepEnd, fence: number | string) => [
  d.runId,
  d.stepId,
  fence,
  stepStatus(d.channel),
  d.channel,
  json(d.output),
  d.error,
  json(d.input),
  JSON.stringify(d.logs),
  JSON.stringify(d.attempts),
];

/**
 * Applies many decisions in the caller's transaction, as `applyDecision` does one by one, but
 * with the common case set-based: steps that ran and ended (most of the engine's work) are
 * recorded with one statement per table, however many there are, and the runs they end are
 * settled together. On PostgreSQL each statement is a round trip inside the commit, so a batch
 * of a hundred outcomes costs about ten statements instead of a thousand. Every other decision
 * (waits, retries, polls, resumes) goes through `applyDecision`. Returns, per decision, false
 * when it was stale (the step moved on).
 */
export async function applyDecisions(run: SqlRunner, decisions: readonly StepDecision[], deps: Deps, now: string): Promise<boolean[]> {
  const results = new Array<boolean>(decisions.length).fill(false);
  const ends: { d: StepEnd; at: number }[] = [];
  for (const [at, d] of decisions.entries()) {
    // A step that ran (claimed from its own row), as opposed to a waiting step's resume or timer.
    if (d.kind === 'end' && d.fence.status === 'running' && parseStepJobKey(d.jobId)) ends.push({ d, at });
    else results[at] = await applyDecision(run, d, deps, now);
  }
  if (ends.length === 0) return results;

  // Steps claimed from their rows: those rows updated. `alone`: the run has no other step (a row
  // of the run is never deleted while it runs), so the step just recorded is all that settling
  // the run needs to read.
  const claimed = ends.filter(({ d }) => !d.leasedBy);
  const updated =
    claimed.length === 0
      ? []
      : await run.query<{ run_id: string; step_id: string; alone: number | string }>(
          `UPDATE step_executions SET status = v.column4, channel = v.column5, output = v.column6, error = v.column7, input = v.column8,
       logs = v.column9, attempts = v.column10, wait_state = NULL, wait_deadline = NULL, finished_at = ?, ${UNQUEUED}
     FROM (VALUES ${endRows(claimed.length)}) AS v
     WHERE step_executions.run_id = v.column1 AND step_executions.step_id = v.column2
       AND step_executions.status = 'running' AND step_executions.attempt = v.column3
     RETURNING step_executions.run_id, step_executions.step_id,
       CASE WHEN EXISTS (SELECT 1 FROM step_executions other WHERE other.run_id = step_executions.run_id
         AND other.step_id <> step_executions.step_id) THEN 0 ELSE 1 END AS alone`,
          [now, ...claimed.flatMap(({ d }) => endParams(d, d.fence.attempt))],
        );
  // First steps handed over without a row: inserted ended, while their run's row still holds the
  // lease for this process and the run was not cancelled (a cancel stores the step cancelled, a
  // take-over stores it pending: the primary key then keeps this insert out). Such a run has this
  // one first step, and no other step has a row before it ends: the step is alone. CROSS JOIN
  // keeps the values the outer loop on SQLite, each finding its run by primary key (its planner
  // would otherwise walk every running run by status for each).
  const leased = ends.filter(({ d }) => d.leasedBy);
  if (leased.length > 0) {
    const inserted = await run.query<{ run_id: string; step_id: string }>(
      `${INSERT_STEP}
       SELECT runs.id, runs.lease_step, v.column4, v.column5, 1, v.column8, v.column6, v.column7, v.column9, v.column10, NULL, NULL, runs.created_at, runs.started_at, ?, NULL, NULL, NULL
       FROM (VALUES ${Array.from({ length: leased.length }, () => LEASED_ROW).join(', ')}) AS v
         CROSS JOIN runs
       WHERE runs.id = v.column1 AND runs.lease_step = v.column2 AND runs.locked_by = v.column3 AND runs.status IN ('running', 'waiting')
       ON CONFLICT (run_id, step_id) DO NOTHING RETURNING run_id, step_id`,
      [now, ...leased.flatMap(({ d }) => endParams(d, d.leasedBy!))],
    );
    updated.push(...inserted.map((i) => ({ ...i, alone: 1 })));
  }
  const kept = new Set(updated.map((u) => `${u.run_id}\n${u.step_id}`));
  const alone = new Set(updated.filter((u) => Number(u.alone) === 1).map((u) => u.run_id));
  const recorded = ends.filter(({ d }) => kept.has(`${d.runId}\n${d.stepId}`));
  for (const { at } of recorded) results[at] = true;

  // A recorded step left the queue in that update; a stale one leaves it as `applyDecision` would
  // (a stale step without a row has none of this process's to leave).
  for (const { d } of claimed) if (!kept.has(`${d.runId}\n${d.stepId}`)) await discard(run, d.jobId);
  if (recorded.length === 0) return results;
  // A step that ran had no wait, but a timer of an earlier wait may linger: as clearWait does.
  // A step that never ran before has none, which spares the commit two round trips.
  const lingering = recorded.filter(({ d }) => !d.fresh);
  if (lingering.length > 0) {
    const pairs = `(VALUES ${lingering.map(() => '(?, ?)').join(', ')})`;
    const pairParams = lingering.flatMap(({ d }) => [d.runId, d.stepId]);
    await run.query(`DELETE FROM wait_keys WHERE (run_id, step_id) IN ${pairs}`, pairParams);
    await run.query(`DELETE FROM jobs WHERE kind <> 'step' AND (run_id, step_id) IN ${pairs}`, pairParams);
  }

  // Next steps first, so that settling sees them pending.
  const settle = new Map<string, ReactionSpec>();
  // Runs whose one step ended here: settled from that step, without reading the run's steps.
  const known = new Map<string, StepState[]>();
  let queued = false;
  // Runs whose first step was stored here and goes on: their rows hold its lease no more.
  const released = new Map<string, string[]>();
  for (const { d } of recorded) {
    const next = nextSteps(d.spec, d.stepId, d.channel);
    if (next.length > 0 && d.leasedBy) {
      const runIds = released.get(d.leasedBy);
      if (runIds) runIds.push(d.runId);
      else released.set(d.leasedBy, [d.runId]);
    }
    if (next.length === 0) {
      settle.set(d.runId, d.spec);
      if (alone.has(d.runId))
        known.set(d.runId, [{ run_id: d.runId, step_id: d.stepId, status: stepStatus(d.channel), channel: d.channel }]);
      continue;
    }
    await queueSteps(run, d.runId, next, now);
    await run.query("UPDATE runs SET status = 'running' WHERE id = ? AND status = 'waiting'", [d.runId]);
    queued = true;
  }
  if (queued) await run.notify(JOBS_CHANNEL);
  for (const [owner, runIds] of released) await releaseRunLeases(run, runIds, owner);
  await settleRuns(run, settle, known, deps, now);
  return results;
}

type StepState = { run_id: string; step_id: string; status: string; channel: string | null };

const stepStatus = (channel: string) => (channel === 'failed' ? 'failed' : 'succeeded');

/**
 * `settleRun` for many runs: one read of their steps (none when every run's steps are `known`),
 * one update of those that end.
 */
async function settleRuns(
  run: SqlRunner,
  specs: Map<string, ReactionSpec>,
  known: Map<string, StepState[]>,
  deps: Deps,
  now: string,
): Promise<void> {
  if (specs.size === 0) return;
  const ids = [...specs.keys()];
  const unknown = ids.filter((id) => !known.has(id));
  const rows =
    unknown.length === 0
      ? []
      : await run.query<StepState>(
          `SELECT run_id, step_id, status, channel FROM step_executions WHERE run_id IN (${placeholders(unknown.length)})`,
          unknown,
        );
  const stepsOf = new Map<string, StepState[]>(known);
  for (const r of rows) (stepsOf.get(r.run_id) ?? stepsOf.set(r.run_id, []).get(r.run_id)!).push(r);
  const ending: { runId: string; status: 'succeeded' | 'failed'; error: string | null }[] = [];
  for (const id of ids) {
    const verdict = runVerdict(stepsOf.get(id) ?? [], specs.get(id)!);
    if (verdict === 'active') continue;
    if (verdict === 'waiting') await run.query("UPDATE runs SET status = 'waiting' WHERE id = ? AND status = 'running'", [id]);
    else ending.push({ runId: id, ...verdict });
  }
  if (ending.length === 0) return;
  const ended = await run.query<EndedRun['row'] & { id: string; status: 'succeeded' | 'failed' }>(
    `UPDATE runs SET status = v.column2, error = v.column3, finished_at = ?, locked_by = NULL, locked_until = NULL
     FROM (VALUES ${ending.map(() => '(?, ?, ?)').join(', ')}) AS v
     WHERE runs.id = v.column1 AND runs.status IN ('running', 'waiting')
     RETURNING id, status, reaction, reaction_version, event_id, concurrency_key`,
    [now, ...ending.flatMap((e) => [e.runId, e.status, e.error])],
  );
  // In the order the steps ended, so that `run.*` events keep it.
  const byId = new Map(ended.map((e) => [e.id, e]));
  await endRuns(
    run,
    ending.flatMap(({ runId }) => {
      const row = byId.get(runId);
      return row ? [{ runId, status: row.status, row, steps: stepsOf.get(runId) ?? [] }] : [];
    }),
    deps,
    now,
  );
}
