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
import type { NewRun } from './run-state.js';
import { insertRuns, rootSteps, takeSlot } from './run-state.js';
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
}

/** `triggers`: the connection types' declarations, saying how the options of a reaction's `on` match. */
export function createDispatcher(reactions: ReactionsRepo, triggers: readonly TriggerDeclaration[]): Dispatcher {
  let generation = -1;
  let index = new TriggerIndex<Compiled>();

  async function current(run: SqlRunner): Promise<TriggerIndex<Compiled>> {
    // One primary-key read per transaction tells whether any process changed a reaction.
    if ((await readGeneration(run)) === generation) return index;
    const loaded = await reactions.loadEnabled(run);
    const next = new TriggerIndex<Compiled>();
    for (const { name, version, spec } of loaded.reactions) {
      next.add(spec.on.event, { name, version, spec, test: compileTrigger(spec.on, triggers, name), roots: rootSteps(spec) });
    }
    index = next;
    generation = loaded.generation;
    return index;
  }

  const hook: EventsHook = async (run, events) => {
    const now = new Date().toISOString();
    const matcher = await current(run);
    const runs: NewRun[] = [];
    for (const event of events) {
      // One budget per event for every condition and concurrency key it meets: however many
      // reactions listen, storing an event stays bounded; a reaction cut short does not match.
      const budget = new Budget("one event's dispatch");
      for (const reaction of matcher.size === 0 ? [] : matcher.match(event.type)) {
        if (isOwnRunEvent(event, reaction.name) || !reaction.test(event, budget)) continue;
        runs.push(await admit(run, reaction, event, budget));
      }
    }
    await insertRuns(run, runs, now);
    const resumed = await resumeWaits(run, events, now);
    if (runs.some((r) => r.roots.length > 0) || resumed) await run.notify(JOBS_CHANNEL);
    await run.notify(EVENTS_CHANNEL);
  };

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

  return { hook, replay };
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
