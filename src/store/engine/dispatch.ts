import { uuidv7 } from '../../core/ids.js';
import { Budget } from '../../core/reactions/budget.js';
import type { ReactionSpec } from '../../core/reactions/document.js';
import { compileTrigger, TriggerIndex } from '../../core/reactions/matching.js';
import { isOwnRunEvent } from '../../core/reactions/refusal.js';
import type { TriggerDeclaration } from '../../core/reactions/source-trigger.js';
import { renderString } from '../../core/reactions/templates.js';
import type { SqlRunner } from '../database.js';
import type { EventsHook, StoredEvent } from '../events.js';
import type { ReactionsRepo } from './reactions.js';
import { readGeneration } from './reactions.js';
import type { ClaimedJob } from './jobs.js';
import type { ClaimedAtInsert, NewRun } from './run-state.js';
import { insertRuns, rootSteps, runLeased, stepJobKey, takeSlot } from './run-state.js';
import { placeholders } from '../sql.js';

/** The wake-up channel of the job queue. */
export const JOBS_CHANNEL = 'jobs';
/** The wake-up channel of newly stored events (the live event stream). */
export const EVENTS_CHANNEL = 'events';

interface Compiled {
  name: string;
  version: number;
  spec: ReactionSpec;
  test: (event: { type: string; data: unknown }, budget?: Budget) => boolean;
  roots: string[];
}

/**
 * Builds the hook that runs in every transaction storing events: it creates the runs of the
 * enabled reactions whose trigger matches (with their first steps' jobs), and resumes the waiting
 * steps an event correlates with. Reactions are indexed by trigger type, so an event is tested
 * against the reactions for its type and the glob triggers only, never against all of them.
 */
export interface Dispatcher {
  hook: EventsHook;
  /**
   * Dispatches a stored event again, in the caller's transaction: to every matching enabled
   * reaction, or to the one named (whether or not its filter matches). Returns the new run ids.
   */
  replay(run: SqlRunner, event: StoredEvent, only?: string): Promise<{ runs: { id: string; reaction: string }[] }>;
  /** This process's engine, to take the first steps of the runs it queues (none: all go through the queue). */
  setLane(lane: LocalLane | undefined): void;
}

/**
 * A process's engine as the dispatcher sees it: the first steps of runs this process queues are
 * inserted already claimed by it, up to its spare workers, and handed to it once the transaction
 * is on disk. That saves each such step its claim (a row write and a transaction of round trips)
 * and the other processes a wake-up. A run's only first step is not inserted at all: the run's
 * row holds its lease, and its outcome stores it (0046). A step handed over is leased like any
 * claim: should this process die before recording its outcome, the lease runs out and another
 * claims it.
 */
export interface LocalLane {
  /** Whom the leases name. */
  readonly owner: string;
  readonly leaseMs: number;
  /** Reserves up to `wanted` workers now; returns how many it got. */
  reserve(wanted: number): number;
  /** The reserved steps, once their transaction is on disk. */
  take(jobs: ClaimedJob[]): void;
  /** Gives back `count` reservations whose transaction rolled back. */
  release(count: number): void;
}

/** `triggers`: the connection types' declarations, saying how the options of a reaction's `on` match. */
export function createDispatcher(reactions: ReactionsRepo, triggers: readonly TriggerDeclaration[]): Dispatcher {
  let generation = -1;
  let index = new TriggerIndex<Compiled>();
  let lane: LocalLane | undefined;

  /**
   * The enabled reactions as of `seen`, the generation a statement of this transaction read (the
   * PostgreSQL ingest's), else as of a read now. Either is a read within the transaction: a
   * reaction committed after it and before the transaction's commit misses these events alike.
   */
  async function current(run: SqlRunner, seen?: number): Promise<TriggerIndex<Compiled>> {
    // One primary-key read per transaction (unless a statement made it) tells whether any process changed a reaction.
    if ((seen ?? (await readGeneration(run))) === generation) return index;
    const loaded = await reactions.loadEnabled(run);
    const next = new TriggerIndex<Compiled>();
    for (const { name, version, spec } of loaded.reactions) {
      next.add(spec.on.event, { name, version, spec, test: compileTrigger(spec.on, triggers, name), roots: rootSteps(spec) });
    }
    index = next;
    generation = loaded.generation;
    return index;
  }

  const hook: EventsHook = async (run, events, seen) => {
    const now = new Date().toISOString();
    const matcher = await current(run, seen);
    const runs: NewRun[] = [];
    for (const event of matcher.size === 0 ? [] : events) {
      const listening = matcher.match(event.type);
      if (listening.length === 0) continue;
      // One budget per event for every condition and concurrency key it meets: however many
      // reactions listen, storing an event stays bounded; a reaction cut short does not match.
      const budget = new Budget("one event's dispatch");
      for (const reaction of listening) {
        if (isOwnRunEvent(event, reaction.name) || !reaction.test(event, budget)) continue;
        runs.push(await admit(run, reaction, event, budget));
      }
    }
    const roots = runs.reduce((n, r) => n + r.roots.length, 0);
    const taken = roots > 0 ? handOver(run, runs, events, now) : undefined;
    await insertRuns(run, runs, now, taken);
    const resumed = await resumeWaits(run, events, now);
    if (roots > (taken?.count ?? 0) || resumed) await run.notify(JOBS_CHANNEL);
    await run.notify(EVENTS_CHANNEL);
  };

  /** Reserves this process's spare workers for the runs' first steps, handed over on commit. */
  function handOver(run: SqlRunner, runs: readonly NewRun[], events: readonly StoredEvent[], now: string): ClaimedAtInsert | undefined {
    const to = lane;
    if (!to) return undefined;
    const steps = runs.flatMap((r) => r.roots.map((stepId) => ({ r, stepId })));
    const count = to.reserve(steps.length);
    if (count === 0) return undefined;
    const byId = new Map(events.map((e) => [e.id, e]));
    const jobs = steps.slice(0, count).map(({ r, stepId }) => claimedStep(r, stepId, byId.get(r.eventId)!, to.owner));
    run.onSettled((committed) => (committed ? to.take(jobs) : to.release(count)));
    return { owner: to.owner, until: new Date(Date.parse(now) + to.leaseMs).toISOString(), count };
  }

  async function replay(run: SqlRunner, event: StoredEvent, only?: string) {
    const now = new Date().toISOString();
    const budget = new Budget("one event's dispatch");
    let targets: Compiled[];
    if (only) {
      const loaded = await reactions.currentIn(run, only);
      targets = [{ ...loaded, test: () => true, roots: rootSteps(loaded.spec) }];
    } else {
      targets = (await current(run)).match(event.type).filter((r) => !isOwnRunEvent(event, r.name) && r.test(event, budget));
    }
    const runs: NewRun[] = [];
    for (const reaction of targets) runs.push(await admit(run, reaction, event, budget));
    await insertRuns(run, runs, now);
    if (runs.length > 0) await run.notify(JOBS_CHANNEL);
    return { runs: runs.map((r) => ({ id: r.id, reaction: r.reaction })) };
  }

  return { hook, replay, setLane: (next) => void (lane = next) };
}

/**
 * A first step as a claim returns it: running, attempt 1, nothing before it in the run. The only
 * first step of its run is leased by the run's row, and stored once it ends (`insertRuns`).
 */
function claimedStep(r: NewRun, stepId: string, event: StoredEvent, owner: string): ClaimedJob {
  return {
    id: stepJobKey(r.id, stepId),
    kind: 'step',
    runId: r.id,
    stepId,
    payload: null,
    run: { id: r.id, reaction: r.reaction, version: r.version, eventId: r.eventId, status: r.status },
    step: { status: 'running', attempt: 1, waitState: null, waitDeadline: null, logs: [], attempts: [], input: null },
    event: { id: event.id, type: event.type, source: event.source, timestamp: event.timestamp, data: event.data },
    outputs: {},
    fresh: true,
    ...(runLeased(r) ? { leasedBy: owner } : {}),
  };
}

async function admit(run: SqlRunner, reaction: Compiled, event: StoredEvent, budget: Budget): Promise<NewRun> {
  const id = uuidv7();
  const base = { id, reaction: reaction.name, version: reaction.version, eventId: event.id };
  const concurrency = reaction.spec.concurrency;
  if (!concurrency) return { ...base, status: 'running', concurrencyKey: null, roots: reaction.roots };
  const key = `${reaction.name}:${concurrencyKey(concurrency.key, event, id, reaction, budget)}`;
  const admitted = await takeSlot(run, key, concurrency.limit);
  return { ...base, status: admitted ? 'running' : 'queued', concurrencyKey: key, roots: admitted ? reaction.roots : [] };
}

function concurrencyKey(template: string, event: StoredEvent, runId: string, reaction: Compiled, budget: Budget): string {
  try {
    return renderString(
      template,
      { event, data: event.data, steps: {}, secrets: {}, run: { id: runId, reaction: reaction.name, version: reaction.version } },
      budget,
    );
  } catch {
    // A key that cannot be rendered for this event serializes with every other such event.
    return '';
  }
}

/** Queues a resume job for every step waiting on a key one of the events carries. */
async function resumeWaits(run: SqlRunner, events: StoredEvent[], now: string): Promise<boolean> {
  const byKey = new Map<string, StoredEvent>();
  for (const event of events) for (const key of event.correlate) byKey.set(key, event);
  if (byKey.size === 0) return false;
  const keys = [...byKey.keys()];
  const waiting = await run.query<{ key: string; run_id: string; step_id: string }>(
    `SELECT key, run_id, step_id FROM wait_keys WHERE key IN (${placeholders(keys.length)})`,
    keys,
  );
  for (const w of waiting) {
    const event = byKey.get(w.key)!;
    await run.query(
      `INSERT INTO jobs (id, kind, run_id, step_id, run_at, payload, job_key, locked_by, locked_until, created_at)
       VALUES (?, 'resume', ?, ?, ?, ?, ?, NULL, NULL, ?) ON CONFLICT (job_key) DO NOTHING`,
      [
        uuidv7(),
        w.run_id,
        w.step_id,
        now,
        JSON.stringify({ kind: 'event', key: w.key, eventId: event.id }),
        `resume:${w.run_id}:${w.step_id}:${event.id}`,
        now,
      ],
    );
  }
  return waiting.length > 0;
}
