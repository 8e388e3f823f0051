// Edits made on the reaction graph, as pure functions of the document the editor keeps (the form
// and the YAML view read the same one). Each either gives the next document and a sentence saying
// what changed, or refuses with the reason: an edit never leaves an `after` that points at nothing
// or a loop of steps that wait for each other.
import { afterOf, freeStepId, isObject, stepsOf } from './document';
import type { Doc, StepEntry } from './document';

export type GraphEdit = { ok: true; doc: Doc; message: string; select?: string } | { ok: false; reason: string };

/** The channels every action ends on when its declaration is not known (yet). */
export const DEFAULT_CHANNELS: readonly string[] = ['success', 'failed'];

/** What the graph knows of an action: the channels a step using it ends on. */
export interface ActionChannels {
  name: string;
  channels: readonly string[];
}

export function channelsFor(uses: string, actions: readonly ActionChannels[]): readonly string[] {
  const declared = actions.find((a) => a.name === uses)?.channels;
  return declared && declared.length > 0 ? declared : DEFAULT_CHANNELS;
}

/** How many `after` hops from the trigger: steps that run first are 1. A cycle or a missing step stops the count. */
export function depthOf(step: StepEntry, byId: ReadonlyMap<string, StepEntry>): number {
  let depth = 1;
  const seen = new Set([step.id]);
  let next = step.after ? byId.get(step.after.step) : undefined;
  while (next && !seen.has(next.id)) {
    seen.add(next.id);
    depth += 1;
    next = next.after ? byId.get(next.after.step) : undefined;
  }
  return depth;
}

/** The steps in rows by depth, each row in document order (which is left to right on the graph). */
export function rowsOf(doc: Doc): Map<number, StepEntry[]> {
  const steps = stepsOf(doc);
  const byId = new Map(steps.map((s) => [s.id, s]));
  const rows = new Map<number, StepEntry[]>();
  for (const step of steps) {
    const depth = depthOf(step, byId);
    rows.set(depth, [...(rows.get(depth) ?? []), step]);
  }
  return rows;
}

/** The chain of steps `id` waits for, nearest first (it stops at a loop already in the document). */
function ancestorsOf(doc: Doc, id: string): string[] {
  const byId = new Map(stepsOf(doc).map((s) => [s.id, s]));
  const chain: string[] = [];
  let next = byId.get(id)?.after?.step;
  while (next !== undefined && byId.has(next) && !chain.includes(next) && next !== id) {
    chain.push(next);
    next = byId.get(next)?.after?.step;
  }
  return chain;
}

function stepsMap(doc: Doc): Record<string, unknown> {
  return isObject(doc.steps) ? doc.steps : {};
}

function withAfter(raw: unknown, after: { step: string; channel: string } | undefined): Record<string, unknown> {
  const body = isObject(raw) ? { ...raw } : {};
  if (after) body.after = after;
  else delete body.after;
  return body;
}

/**
 * The steps reordered so that each comes after the step it waits for, moving only what must move
 * (the first step whose predecessor is placed goes next). The form offers a step only the steps
 * above it to run after, so it keeps offering what the graph connected.
 */
export function orderByAfter(steps: Record<string, unknown>): Record<string, unknown> {
  const remaining = Object.entries(steps);
  const ids = new Set(remaining.map(([id]) => id));
  const placed = new Set<string>();
  const out: Array<[string, unknown]> = [];
  while (remaining.length > 0) {
    let at = remaining.findIndex(([, body]) => {
      const after = afterOf(isObject(body) ? body.after : undefined);
      return !after || !ids.has(after.step) || placed.has(after.step);
    });
    // Only a loop already in the document leaves nothing placeable: keep the rest as it is.
    if (at < 0) at = 0;
    const [entry] = remaining.splice(at, 1);
    out.push(entry!);
    placed.add(entry![0]);
  }
  return Object.fromEntries(out);
}

const runsFirst = (scheduled: boolean) => (scheduled ? 'runs first, at each tick' : 'runs first, when the event arrives');

/** A new step using `uses` that runs after `parent` ends on `channel` (or first, when `parent` is null). */
export function addStepAfter(
  doc: Doc,
  parent: string | null,
  channel: string,
  uses: string,
  actions: readonly ActionChannels[],
): GraphEdit {
  if (!uses) return { ok: false, reason: 'Choose the new step’s action first.' };
  const steps = stepsMap(doc);
  const id = freeStepId(doc, uses.split('.').pop() ?? 'step');
  if (parent === null) {
    return { ok: true, doc: { ...doc, steps: { ...steps, [id]: { uses, with: {} } } }, message: `Added ${id}: it runs first.`, select: id };
  }
  const from = stepsOf(doc).find((s) => s.id === parent);
  if (!from) return { ok: false, reason: `There is no step ${parent} to run after.` };
  const channels = channelsFor(from.uses, actions);
  if (!channels.includes(channel))
    return { ok: false, reason: `${parent} (${from.uses || 'no action'}) has no channel ${channel}: it ends on ${channels.join(', ')}.` };
  return {
    ok: true,
    doc: { ...doc, steps: { ...steps, [id]: { uses, after: { step: parent, channel }, with: {} } } },
    message: `Added ${id}: it runs after ${parent} ends on ${channel}.`,
    select: id,
  };
}

/** `child` runs after `parent` ends on `channel` instead of whatever it ran after. */
export function connectAfter(doc: Doc, child: string, parent: string, channel: string, actions: readonly ActionChannels[]): GraphEdit {
  const steps = stepsOf(doc);
  const to = steps.find((s) => s.id === child);
  const from = steps.find((s) => s.id === parent);
  if (!to || !from) return { ok: false, reason: `There is no step ${!to ? child : parent} in this reaction.` };
  if (child === parent) return { ok: false, reason: `${child} cannot run after itself.` };
  const chain = ancestorsOf(doc, parent);
  if (chain.includes(child)) {
    const path = [parent, ...chain.slice(0, chain.indexOf(child) + 1)].join(' after ');
    return { ok: false, reason: `${child} cannot run after ${parent}: ${path} already, so the steps would wait for each other forever.` };
  }
  const channels = channelsFor(from.uses, actions);
  if (!channels.includes(channel))
    return { ok: false, reason: `${parent} (${from.uses || 'no action'}) has no channel ${channel}: it ends on ${channels.join(', ')}.` };
  const all = stepsMap(doc);
  const next = orderByAfter({ ...all, [child]: withAfter(all[child], { step: parent, channel }) });
  const before = to.after ? ` (it ran after ${to.after.step} on ${to.after.channel})` : ' (it ran first)';
  return {
    ok: true,
    doc: { ...doc, steps: next },
    message: `${child} now runs after ${parent} ends on ${channel}${before}.`,
    select: child,
  };
}

/** Removes the connection into `child`: it then runs first. A step that already runs first has no connection to remove. */
export function disconnect(doc: Doc, child: string, scheduled = false): GraphEdit {
  const step = stepsOf(doc).find((s) => s.id === child);
  if (!step) return { ok: false, reason: `There is no step ${child} in this reaction.` };
  if (!step.after)
    return {
      ok: false,
      reason: `${child} ${runsFirst(scheduled)}: every step runs either first or after another step. Connect it after another step instead, or delete it.`,
    };
  const all = stepsMap(doc);
  return {
    ok: true,
    doc: { ...doc, steps: { ...all, [child]: withAfter(all[child], undefined) } },
    message: `${child} no longer runs after ${step.after.step}: it ${runsFirst(scheduled)}.`,
  };
}

/** Deletes `id`; the steps that ran after it take its place (they run after what it ran after, or first). */
export function deleteStepKeepingFollowers(doc: Doc, id: string): GraphEdit {
  const steps = stepsOf(doc);
  const step = steps.find((s) => s.id === id);
  if (!step) return { ok: false, reason: `There is no step ${id} in this reaction.` };
  const followers = steps.filter((s) => s.after?.step === id).map((s) => s.id);
  const all = stepsMap(doc);
  const next: Record<string, unknown> = {};
  for (const [key, body] of Object.entries(all)) {
    if (key === id) continue;
    next[key] = followers.includes(key) ? withAfter(body, step.after ?? undefined) : body;
  }
  const place = step.after ? `after ${step.after.step} ends on ${step.after.channel}` : 'first';
  const moved =
    followers.length === 0 ? '' : ` ${followers.join(', ')} ${followers.length === 1 ? 'now runs' : 'now run'} ${place}, in its place.`;
  return { ok: true, doc: { ...doc, steps: next }, message: `Deleted ${id}.${moved}` };
}

/** Moves `id` one place left or right among the steps of its row (and so in document order, the form's order). */
export function moveInRow(doc: Doc, id: string, by: -1 | 1): GraphEdit {
  const row = rowOf(doc, id);
  if (!row) return { ok: false, reason: `There is no step ${id} in this reaction.` };
  const to = row.findIndex((s) => s.id === id) + by;
  if (to < 0 || to >= row.length) return { ok: false, reason: `${id} is already the ${by < 0 ? 'first' : 'last'} in its row.` };
  return placeInRow(doc, id, to);
}

function rowOf(doc: Doc, id: string): StepEntry[] | undefined {
  return [...rowsOf(doc).values()].find((r) => r.some((s) => s.id === id));
}

/**
 * Puts `id` at `index` (0 = leftmost) among the steps of its row, where a step dragged sideways was
 * dropped; document order changes with it, the rest of each row keeping its order.
 */
export function placeInRow(doc: Doc, id: string, index: number): GraphEdit {
  const row = rowOf(doc, id);
  if (!row) return { ok: false, reason: `There is no step ${id} in this reaction.` };
  const others = row.filter((s) => s.id !== id);
  const at = Math.max(0, Math.min(index, others.length));
  if (row[at]?.id === id) return { ok: true, doc, message: `${id} stays where it was.`, select: id };
  const entries = Object.entries(stepsMap(doc));
  const moving = entries.splice(
    entries.findIndex(([key]) => key === id),
    1,
  )[0]!;
  const neighbour = at < others.length ? others[at]! : others[others.length - 1]!;
  const there = entries.findIndex(([key]) => key === neighbour.id);
  entries.splice(at < others.length ? there : there + 1, 0, moving);
  return {
    ok: true,
    doc: { ...doc, steps: Object.fromEntries(entries) },
    message: at < others.length ? `Moved ${id} before ${neighbour.id}.` : `Moved ${id} after ${neighbour.id}.`,
    select: id,
  };
}
