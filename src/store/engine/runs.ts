import { approvalKey } from '../../core/correlation.js';
import { ShiplineError } from '../../core/errors.js';
import type { Db } from '../database.js';
import type { EventsRepo } from '../events.js';
import { JOBS_CHANNEL } from './dispatch.js';
import { signalWait } from './jobs.js';
import { decodeCursor, DEFAULT_LIMIT, toPage } from '../pagination.js';
import type { AttemptRecord } from './jobs.js';
import type { ReactionsRepo } from './reactions.js';
import { endRun, UNQUEUED } from './step-outcomes.js';
import { queueSteps } from './run-state.js';
import { cancelLeasedStep } from './run-leases.js';
import { placeholders } from '../sql.js';

/** The condition of the partial `runs_by_status`, stated by the queries that read through it. */
const NOT_SUCCEEDED = "status <> 'succeeded'";

export interface StepView {
  id: string;
  status: string;
  channel: string | null;
  attempt: number;
  idempotencyKey: string;
  input: unknown;
  output: unknown;
  error: string | null;
  logs: string[];
  attempts: AttemptRecord[];
  waitingUntil: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** A step that was waiting when its run was cancelled: its action may undo what it started. */
export interface CancelledWait {
  stepId: string;
  attempt: number;
  waitState: unknown;
}

export interface RunView {
  id: string;
  reaction: string;
  reactionVersion: number;
  eventId: string;
  status: string;
  concurrencyKey: string | null;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  steps?: StepView[];
}

type RunRow = {
  id: string;
  reaction: string;
  reaction_version: number | string;
  event_id: string;
  status: string;
  concurrency_key: string | null;
  error: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  lease_step: string | null;
  locked_by: string | null;
};
type StepRow = {
  run_id: string;
  step_id: string;
  status: string;
  channel: string | null;
  attempt: number | string;
  input: string | null;
  output: string | null;
  error: string | null;
  logs: string;
  attempts: string;
  wait_deadline: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
};

const parse = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

function toRun(row: RunRow): RunView {
  return {
    id: row.id,
    reaction: row.reaction,
    reactionVersion: Number(row.reaction_version),
    eventId: row.event_id,
    status: row.status,
    concurrencyKey: row.concurrency_key,
    error: row.error,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

function toStep(row: StepRow): StepView {
  return {
    id: row.step_id,
    status: row.status,
    channel: row.channel,
    attempt: Number(row.attempt),
    idempotencyKey: `${row.run_id}:${row.step_id}`,
    input: parse(row.input),
    output: parse(row.output),
    error: row.error,
    logs: JSON.parse(row.logs) as string[],
    attempts: JSON.parse(row.attempts) as AttemptRecord[],
    waitingUntil: row.wait_deadline,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

/**
 * The first step handed over with the run and running without a row of its own (0046), as its
 * row would show it: running, attempt 1, since the run started.
 */
function runningUnstored(row: RunRow, steps: readonly StepView[]): StepView | undefined {
  if (row.locked_by === null || row.lease_step === null || steps.some((s) => s.id === row.lease_step)) return undefined;
  return {
    id: row.lease_step,
    status: 'running',
    channel: null,
    attempt: 1,
    idempotencyKey: `${row.id}:${row.lease_step}`,
    input: null,
    output: null,
    error: null,
    logs: [],
    attempts: [],
    waitingUntil: null,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: null,
  };
}

const FINISHED = ['succeeded', 'failed', 'cancelled'];
/** Runs of a set of events answered at most (a deploy's events start a handful; replays add more). */
const MAX_BY_EVENTS = 500;

/** Runs as people see and steer them: list, show, cancel, retry, approve. */
export function runsRepo(db: Db, deps: { events: EventsRepo; reactions: ReactionsRepo }) {
  const read = <R>(sql: string, params: unknown[]) => db.transaction((run) => run.query<R>(sql, params));

  async function getRow(id: string): Promise<RunRow> {
    const [row] = await read<RunRow>('SELECT * FROM runs WHERE id = ?', [id]);
    if (!row) throw new ShiplineError('run.not_found');
    return row;
  }

  return {
    async list(q: {
      reaction?: string | undefined;
      status?: string | undefined;
      eventId?: string | undefined;
      limit?: number | undefined;
      cursor?: string | undefined;
    }) {
      const limit = q.limit ?? DEFAULT_LIMIT;
      const where: string[] = [];
      const params: unknown[] = [];
      const filter = (clause: string, value: string | undefined) => {
        if (value === undefined || value === '') return;
        where.push(clause);
        params.push(value);
      };
      filter('reaction = ?', q.reaction);
      filter('status = ?', q.status);
      // runs_by_status holds the runs that have not succeeded (migration 0019); a store uses a
      // partial index only for a query that states its condition. Succeeded runs, most of them,
      // are found newest first in the table's own order.
      if (q.status && q.status !== 'succeeded') where.push(NOT_SUCCEEDED);
      filter('event_id = ?', q.eventId);
      filter('id < ?', q.cursor && decodeCursor(q.cursor, 1)[0]);
      const rows = await read<RunRow>(`SELECT * FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`, [
        ...params,
        limit + 1,
      ]);
      return toPage(rows, limit, toRun, (r) => [r.id]);
    },

    /** The runs these events started (list items, newest first), at most `limit`. */
    async forEvents(eventIds: readonly string[], limit = MAX_BY_EVENTS): Promise<RunView[]> {
      if (eventIds.length === 0) return [];
      const rows = await read<RunRow>(`SELECT * FROM runs WHERE event_id IN (${placeholders(eventIds.length)}) ORDER BY id DESC LIMIT ?`, [
        ...eventIds,
        limit,
      ]);
      return rows.map(toRun);
    },

    async get(id: string): Promise<RunView> {
      const row = await getRow(id);
      const steps = (await read<StepRow>('SELECT * FROM step_executions WHERE run_id = ? ORDER BY created_at, step_id', [id])).map(toStep);
      const unstored = runningUnstored(row, steps);
      return { ...toRun(row), steps: unstored ? [unstored, ...steps] : steps };
    },

    /** Cancels a run that has not finished: its pending and waiting steps are cancelled, its jobs dropped. */
    async cancel(id: string): Promise<RunView & { cancelledWaits: CancelledWait[] }> {
      const now = new Date().toISOString();
      let cancelledWaits: CancelledWait[] = [];
      await db.transaction(async (run) => {
        // A first step running without a row of its own (0046) is stored cancelled first.
        await cancelLeasedStep(run, id, now);
        const [ended] = await run.query<RunRow>(
          "UPDATE runs SET status = 'cancelled', error = 'cancelled', finished_at = ?, locked_by = NULL, locked_until = NULL WHERE id = ? AND status IN ('queued', 'running', 'waiting') RETURNING *",
          [now, id],
        );
        if (!ended) {
          const [exists] = await run.query<{ id: string }>('SELECT id FROM runs WHERE id = ?', [id]);
          throw new ShiplineError(exists ? 'run.finished' : 'run.not_found');
        }
        const waiting = await run.query<{ step_id: string; attempt: number | string; wait_state: string | null }>(
          "SELECT step_id, attempt, wait_state FROM step_executions WHERE run_id = ? AND status = 'waiting'",
          [id],
        );
        cancelledWaits = waiting.map((w) => ({
          stepId: w.step_id,
          attempt: Number(w.attempt),
          waitState: w.wait_state === null ? null : (JSON.parse(w.wait_state) as unknown),
        }));
        await run.query(
          `UPDATE step_executions SET status = 'cancelled', finished_at = ?, ${UNQUEUED} WHERE run_id = ? AND status IN ('pending', 'running', 'waiting')`,
          [now, id],
        );
        await run.query('DELETE FROM jobs WHERE run_id = ?', [id]);
        await run.query('DELETE FROM wait_keys WHERE run_id = ?', [id]);
        const steps = await run.query<{ step_id: string; status: string; channel: string | null }>(
          'SELECT step_id, status, channel FROM step_executions WHERE run_id = ?',
          [id],
        );
        // A queued run never held a slot, so it has none to give back.
        const slot = ended.status === 'queued' ? null : ended.concurrency_key;
        await endRun(run, id, 'cancelled', { ...ended, concurrency_key: slot }, deps, now, steps);
      });
      return { ...(await this.get(id)), cancelledWaits };
    },

    /** Runs a finished run's failed steps again (fresh attempts); the run is running again. */
    async retry(id: string): Promise<RunView> {
      const now = new Date().toISOString();
      await db.transaction(async (run) => {
        const [row] = await run.query<RunRow>('SELECT * FROM runs WHERE id = ?', [id]);
        if (!row) throw new ShiplineError('run.not_found');
        const failed = await run.query<{ step_id: string }>("SELECT step_id FROM step_executions WHERE run_id = ? AND status = 'failed'", [
          id,
        ]);
        if (!FINISHED.includes(row.status) || failed.length === 0) throw new ShiplineError('run.not_retriable');
        await run.query("UPDATE runs SET status = 'running', error = NULL, finished_at = NULL WHERE id = ?", [id]);
        if (row.concurrency_key) await run.query('UPDATE concurrency_slots SET active = active + 1 WHERE key = ?', [row.concurrency_key]);
        await queueSteps(
          run,
          id,
          failed.map((s) => s.step_id),
          now,
        );
        await run.notify(JOBS_CHANNEL);
      });
      return this.get(id);
    },

    /** Resumes a step waiting on `approval:<run>:<step>` with the decision; 409 if it is not waiting. */
    async decide(id: string, stepId: string, decision: { approved: boolean; approver: string; comment: string | null }): Promise<void> {
      const row = await getRow(id);
      const [step] = await read<{ status: string }>('SELECT status FROM step_executions WHERE run_id = ? AND step_id = ?', [id, stepId]);
      // A first step running without a row of its own is there, and not waiting.
      if (!step && !(row.locked_by !== null && row.lease_step === stepId)) throw new ShiplineError('step.not_found');
      const now = new Date().toISOString();
      const resumed = await db.transaction((run) => signalWait(run, approvalKey(id, stepId), { ...decision, decidedAt: now }, now));
      if (resumed === 0) throw new ShiplineError('step.not_waiting');
    },
  };
}

export type RunsRepo = ReturnType<typeof runsRepo>;
