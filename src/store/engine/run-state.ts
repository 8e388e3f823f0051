import type { ReactionSpec } from '../../core/reactions/document.js';
import type { SqlRunner } from '../database.js';
import { rowsOf } from '../sql.js';

/** The head of an insert of whole step rows, every column named (the engine's inserts of new steps). */
export const INSERT_STEP = `INSERT INTO step_executions (run_id, step_id, status, channel, attempt, input, output, error, logs, attempts, wait_state, wait_deadline, created_at, started_at, finished_at, run_at, locked_by, locked_until)`;

/**
 * The run and step transitions, as SQL in the caller's transaction. The engine decides; these
 * functions make a decision durable together with the work it causes (the next steps' jobs).
 */

export type RunStatus = 'queued' | 'running' | 'waiting' | 'succeeded' | 'failed' | 'cancelled';
export type StepStatus = 'pending' | 'running' | 'waiting' | 'succeeded' | 'failed' | 'cancelled' | 'skipped';

export const ACTIVE_STEP_STATUSES: readonly StepStatus[] = ['pending', 'running', 'waiting'];

/**
 * A step put (back) in the queue starts over: fresh attempts, logs and output. Its row is its
 * queue entry: due now, no lease.
 */
const UPSERT_PENDING_STEP = `INSERT INTO step_executions
  (run_id, step_id, status, channel, attempt, input, output, error, logs, attempts, wait_state, wait_deadline, created_at, started_at, finished_at, run_at, locked_by, locked_until)
  VALUES (?, ?, 'pending', NULL, 0, NULL, NULL, NULL, '[]', '[]', NULL, NULL, ?, NULL, NULL, ?, NULL, NULL)
  ON CONFLICT (run_id, step_id) DO UPDATE SET status = 'pending', channel = NULL, attempt = 0, input = NULL, output = NULL,
    error = NULL, logs = '[]', attempts = '[]', wait_state = NULL, wait_deadline = NULL, started_at = NULL, finished_at = NULL,
    run_at = excluded.run_at, locked_by = NULL, locked_until = NULL`;

/** The id a claimed step goes by (its execution row is its queue entry; jobs have uuids). */
export const stepJobKey = (runId: string, stepId: string) => `step:${runId}:${stepId}`;

/** The run and step of a `stepJobKey`; undefined for the id of a `jobs` row. */
export function parseStepJobKey(id: string): { runId: string; stepId: string } | undefined {
  if (!id.startsWith('step:')) return undefined;
  const rest = id.slice('step:'.length);
  const colon = rest.indexOf(':');
  return colon < 0 ? undefined : { runId: rest.slice(0, colon), stepId: rest.slice(colon + 1) };
}

/** Queues steps of a run: a pending execution row each, due now. */
export async function queueSteps(run: SqlRunner, runId: string, stepIds: readonly string[], now: string): Promise<void> {
  for (const stepId of stepIds) await run.query(UPSERT_PENDING_STEP, [runId, stepId, now, now]);
}

export interface NewRun {
  id: string;
  reaction: string;
  version: number;
  eventId: string;
  status: 'queued' | 'running';
  concurrencyKey: string | null;
  /** The steps to queue now (none for a queued run). */
  roots: readonly string[];
}

/**
 * The first steps inserted already claimed, leased to `owner` until `until` and marked running
 * (attempt 1), as a claim would leave them: the first `count` of the runs' first steps, in order.
 * A run with one first step stores none of it: its own row holds the lease (`runLeased`).
 */
export interface ClaimedAtInsert {
  owner: string;
  until: string;
  count: number;
}

/**
 * Whether a run's first step, handed over at its creation, is leased by the run's row and stored
 * only once it ends (0046): so for a run with one first step. A run with several keeps claimed rows.
 */
export const runLeased = (r: Pick<NewRun, 'roots'>): boolean => r.roots.length === 1;

/**
 * Inserts many new runs and their first steps, queued, set-based (one statement per table, however
 * many runs): this runs in the ingest's transaction, where every statement is paid per batch, and
 * on PostgreSQL per round trip. Steps handed over (`claimed`) are inserted claimed, or not at all
 * when their run's row holds their lease.
 */
export async function insertRuns(run: SqlRunner, runs: readonly NewRun[], now: string, claimed?: ClaimedAtInsert): Promise<void> {
  if (runs.length === 0) return;
  const steps = runs.flatMap((r) => r.roots.map((stepId) => ({ r, stepId })));
  const taken = Math.min(claimed?.count ?? 0, steps.length);
  const leased = new Set(steps.slice(0, taken).flatMap(({ r }) => (runLeased(r) ? [r.id] : [])));
  await run.query(
    `INSERT INTO runs (id, reaction, reaction_version, event_id, status, concurrency_key, error, created_at, started_at, finished_at, lease_step, locked_by, locked_until)
     VALUES ${rowsOf(runs.length, 13)}`,
    runs.flatMap((r) => [
      r.id,
      r.reaction,
      r.version,
      r.eventId,
      r.status,
      r.concurrencyKey,
      null,
      now,
      r.status === 'running' ? now : null,
      null,
      ...(leased.has(r.id) ? [r.roots[0], claimed!.owner, claimed!.until] : [null, null, null]),
    ]),
  );
  const rows = steps.map((s, i) => ({ ...s, claimed: i < taken })).filter((s) => !(s.claimed && leased.has(s.r.id)));
  if (rows.length === 0) return;
  await run.query(
    `${INSERT_STEP}
     VALUES ${Array.from({ length: rows.length }, () => "(?, ?, ?, NULL, CAST(? AS INTEGER), NULL, NULL, NULL, '[]', '[]', NULL, NULL, ?, ?, NULL, ?, ?, ?)").join(', ')}`,
    rows.flatMap(({ r, stepId, claimed: c }) =>
      c
        ? [r.id, stepId, 'running', 1, now, now, now, claimed!.owner, claimed!.until]
        : [r.id, stepId, 'pending', 0, now, null, now, null, null],
    ),
  );
}

// Locks the key's row for the rest of the transaction (PostgreSQL) and reads it.
const LOCK_SLOT = `INSERT INTO concurrency_slots (key, active) VALUES (?, 0)
  ON CONFLICT (key) DO UPDATE SET active = concurrency_slots.active RETURNING active`;

/** Takes a slot of `key` when fewer than `limit` runs hold one; false means the run must queue. */
export async function takeSlot(run: SqlRunner, key: string, limit: number): Promise<boolean> {
  const [row] = await run.query<{ active: number | string }>(LOCK_SLOT, [key]);
  if (Number(row!.active) >= limit) return false;
  await run.query('UPDATE concurrency_slots SET active = active + 1 WHERE key = ?', [key]);
  return true;
}

/**
 * The oldest run queued on a concurrency key. `concurrency_key = ?` implies the key is not null,
 * so both stores can read it through the partial `runs_by_concurrency` (migration 0019).
 */
export const NEXT_QUEUED_ON_KEY =
  "SELECT id, reaction, reaction_version FROM runs WHERE concurrency_key = ? AND status = 'queued' ORDER BY id LIMIT 1";

/** Gives a finished run's slot to the oldest run queued on the key, or frees it. */
export async function releaseSlot(
  run: SqlRunner,
  key: string,
  specOf: (reaction: string, version: number) => Promise<ReactionSpec>,
  now: string,
): Promise<void> {
  await run.query(LOCK_SLOT, [key]);
  const [next] = await run.query<{ id: string; reaction: string; reaction_version: number | string }>(NEXT_QUEUED_ON_KEY, [key]);
  if (!next) {
    await run.query('UPDATE concurrency_slots SET active = CASE WHEN active > 0 THEN active - 1 ELSE 0 END WHERE key = ?', [key]);
    return;
  }
  const spec = await specOf(next.reaction, Number(next.reaction_version));
  await run.query("UPDATE runs SET status = 'running', started_at = ? WHERE id = ?", [now, next.id]);
  await queueSteps(run, next.id, rootSteps(spec), now);
}

/** Steps that run first: those after no other step. */
export function rootSteps(spec: ReactionSpec): string[] {
  return spec.steps.filter((s) => s.after === null).map((s) => s.id);
}

/** Steps to run when `stepId` ends on `channel`. */
export function nextSteps(spec: ReactionSpec, stepId: string, channel: string): string[] {
  return spec.steps.filter((s) => s.after?.step === stepId && s.after.channel === channel).map((s) => s.id);
}

/** Removes a step's pending wait: its correlation keys and its timeout, poll and resume jobs. */
export async function clearWait(run: SqlRunner, runId: string, stepId: string, keepJobId?: string): Promise<void> {
  await run.query('DELETE FROM wait_keys WHERE run_id = ? AND step_id = ?', [runId, stepId]);
  await run.query("DELETE FROM jobs WHERE run_id = ? AND step_id = ? AND kind <> 'step' AND id <> ?", [runId, stepId, keepJobId ?? '']);
}
