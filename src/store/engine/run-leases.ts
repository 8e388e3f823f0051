import type { SqlRunner } from '../database.js';
import { placeholders } from '../sql.js';
import { INSERT_STEP } from './run-state.js';

/**
 * The lease a run's row holds for its first step, handed over at the run's creation and not
 * stored until it ends (decision 0046). Locks are taken in one order everywhere: the step's row
 * (its insert) before the run's row, so that an outcome, a cancel and a take-over of the same
 * run wait for one another instead of deadlocking, and the step's primary key decides which one
 * stored the step.
 */

/**
 * Stores the first steps of runs whose lease ran out before `before` (all of them when null: a
 * process that owns the queue voids its previous life's leases at start) as pending, attempt 1
 * spent (as a claimed step whose lease ran out), so that a claim takes them over; at most
 * `limit` runs. A step that got a row meanwhile (its outcome, a cancel) keeps it. Returns how many
 * runs' leases it ended.
 */
export async function takeOverRuns(run: SqlRunner, before: string | null, now: string, limit: number): Promise<number> {
  // A lease's two columns are set and cleared together; `locked_until` is the one the partial
  // index `runs_leased` holds, so neither form reads the runs that hold no lease.
  const expired = before === null ? 'locked_until IS NOT NULL' : 'locked_until < ?';
  const candidates = await run.query<{ id: string }>(
    `SELECT id FROM runs WHERE ${expired} ORDER BY locked_until LIMIT ?`,
    before === null ? [limit] : [before, limit],
  );
  if (candidates.length === 0) return 0;
  const ids = candidates.map((c) => c.id);
  // Read again in the insert: a lease cleared or renewed since the select is left alone.
  await run.query(
    `${INSERT_STEP}
     SELECT id, lease_step, 'pending', NULL, 1, NULL, NULL, NULL, '[]', '[]', NULL, NULL, created_at, started_at, NULL, ?, NULL, NULL
     FROM runs WHERE id IN (${placeholders(ids.length)}) AND ${expired} AND status IN ('running', 'waiting')
     ON CONFLICT (run_id, step_id) DO NOTHING`,
    [now, ...ids, ...(before === null ? [] : [before])],
  );
  await run.query(
    `UPDATE runs SET locked_by = NULL, locked_until = NULL WHERE id IN (${placeholders(ids.length)}) AND ${expired}`,
    before === null ? ids : [...ids, before],
  );
  return ids.length;
}

/**
 * Stores a handed-over first step as a claim would have left it (running, attempt 1, leased to
 * `owner`), for an outcome that is not the fast path's (a retry, a wait), which then updates the
 * row as for any claimed step. Nothing when the run no longer holds the lease for `owner` (taken
 * over, cancelled): the fenced update that follows then finds the decision stale.
 */
export async function storeLeasedStep(run: SqlRunner, runId: string, stepId: string, owner: string): Promise<boolean> {
  const stored = await run.query<{ step_id: string }>(
    `${INSERT_STEP}
     SELECT id, lease_step, 'running', NULL, 1, NULL, NULL, NULL, '[]', '[]', NULL, NULL, created_at, started_at, NULL, started_at, locked_by, locked_until
     FROM runs WHERE id = ? AND lease_step = ? AND locked_by = ? AND status IN ('running', 'waiting')
     ON CONFLICT (run_id, step_id) DO NOTHING RETURNING step_id`,
    [runId, stepId, owner],
  );
  if (stored.length === 0) return false;
  await releaseRunLeases(run, [runId], owner);
  return true;
}

/** The run's row no longer holds a lease: its first step has a row of its own (or nothing left to do). */
export async function releaseRunLeases(run: SqlRunner, runIds: readonly string[], owner: string): Promise<void> {
  if (runIds.length === 0) return;
  await run.query(`UPDATE runs SET locked_by = NULL, locked_until = NULL WHERE id IN (${placeholders(runIds.length)}) AND locked_by = ?`, [
    ...runIds,
    owner,
  ]);
}

/**
 * Stores the first step of run `runId`, running without a row of its own, as cancelled, as a
 * running step's row would be: called before the run's row is ended, in the order an outcome takes
 * them, and the step's primary key keeps that outcome's insert out.
 */
export async function cancelLeasedStep(run: SqlRunner, runId: string, now: string): Promise<void> {
  await run.query(
    `${INSERT_STEP}
     SELECT id, lease_step, 'cancelled', NULL, 1, NULL, NULL, NULL, '[]', '[]', NULL, NULL, created_at, started_at, ?, NULL, NULL, NULL
     FROM runs WHERE id = ? AND locked_by IS NOT NULL AND status IN ('running', 'waiting')
     ON CONFLICT (run_id, step_id) DO NOTHING`,
    [now, runId],
  );
}
