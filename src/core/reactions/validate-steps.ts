import type { StepSpec, ValidationContext } from './document.js';
import { DEFAULT_RETRY, parseDuration } from './durations.js';
import type { RetryPolicy } from './durations.js';
import { checkConfig } from './config-check.js';
import { literalSettingProblems } from './literal-settings.js';
import { isPlainObject } from './templates.js';
import { NAME_PATTERN, NAME_RULE, checkTemplates, describe, unknownKeys, type Problems } from './validate-shared.js';

const STEP_KEYS = ['uses', 'with', 'after', 'retry', 'timeout'] as const;
const RETRY_KEYS = ['attempts', 'backoff', 'initial', 'max'] as const;
const STEP_ROOTS = ['event', 'data', 'steps', 'secrets', 'run'] as const;
export const DURATION_RULE = 'use e.g. 500ms, 2s, 5m, 1h, 1d, 1h30m or a number of milliseconds';

/** A step as read, before the cross-step checks; `afterPath` locates `after` for their problems. */
interface Draft {
  spec: StepSpec;
  path: string;
  afterPath: string;
}

/** Reads `steps` (a mapping of step id to step) in document order, then checks them together. */
export function readSteps(raw: unknown, ctx: ValidationContext, problems: Problems): StepSpec[] {
  if (raw === undefined) {
    problems.push('steps: required; a reaction needs at least one step');
    return [];
  }
  if (!isPlainObject(raw)) {
    problems.push(`steps: must be a mapping of step id to step, not ${describe(raw)}`);
    return [];
  }
  const drafts: Draft[] = [];
  for (const [id, body] of Object.entries(raw)) {
    const draft = readStep(id, body, problems);
    if (draft) drafts.push(draft);
  }
  if (Object.keys(raw).length === 0) problems.push('steps: a reaction needs at least one step');
  checkTogether(drafts, ctx, problems);
  return drafts.map((d) => d.spec);
}

function readStep(id: string, body: unknown, problems: Problems): Draft | null {
  const path = `steps.${id}`;
  if (!NAME_PATTERN.test(id)) problems.push(`${path}: invalid step id; use ${NAME_RULE}`);
  if (!isPlainObject(body)) {
    problems.push(`${path}: must be an object with "uses", not ${describe(body)}`);
    return null;
  }
  unknownKeys(body, STEP_KEYS, path, 'a step', problems);
  let uses = '';
  if (body.uses === undefined) problems.push(`${path}.uses: required`);
  else if (typeof body.uses !== 'string' || body.uses === '')
    problems.push(`${path}.uses: must be an action name, not ${describe(body.uses)}`);
  else uses = body.uses;
  let config: Record<string, unknown> = {};
  if (isPlainObject(body.with)) config = body.with;
  else if (body.with !== undefined) problems.push(`${path}.with: must be an object, not ${describe(body.with)}`);
  const afterPath = `${path}.after`;
  let timeoutMs: number | null = null;
  if (body.timeout !== undefined) timeoutMs = readDuration(body.timeout, `${path}.timeout`, problems);
  return {
    spec: {
      id,
      uses,
      with: config,
      after: readAfter(body.after, afterPath, problems),
      retry: readRetry(body.retry, `${path}.retry`, problems),
      timeoutMs,
    },
    path,
    afterPath: isPlainObject(body.after) ? `${afterPath}.step` : afterPath,
  };
}

function readAfter(raw: unknown, path: string, problems: Problems): StepSpec['after'] {
  if (raw === undefined || raw === null) return null;
  if (typeof raw === 'string') return { step: raw, channel: 'success' };
  if (!isPlainObject(raw)) {
    problems.push(`${path}: must be a step id or {step, channel}, not ${describe(raw)}`);
    return null;
  }
  unknownKeys(raw, ['step', 'channel'], path, '"after"', problems);
  const channel = raw.channel === undefined ? 'success' : raw.channel;
  if (typeof channel !== 'string' || channel === '') problems.push(`${path}.channel: must be a channel name, not ${describe(channel)}`);
  if (typeof raw.step !== 'string') {
    problems.push(`${path}.step: ${raw.step === undefined ? 'required' : `must be a step id, not ${describe(raw.step)}`}`);
    return null;
  }
  return { step: raw.step, channel: typeof channel === 'string' ? channel : 'success' };
}

/** A positive duration in ms, or null (with a problem) when invalid. */
export function readDuration(raw: unknown, path: string, problems: Problems): number | null {
  const ms = parseDuration(raw);
  if (ms === null) problems.push(`${path}: invalid duration ${describe(raw)}; ${DURATION_RULE}`);
  else if (ms === 0) problems.push(`${path}: must be longer than 0`);
  return ms === null || ms === 0 ? null : ms;
}

function readRetry(raw: unknown, path: string, problems: Problems): RetryPolicy {
  if (raw === undefined) return { ...DEFAULT_RETRY };
  if (!isPlainObject(raw)) {
    problems.push(`${path}: must be an object (attempts, backoff, initial, max), not ${describe(raw)}`);
    return { ...DEFAULT_RETRY };
  }
  unknownKeys(raw, RETRY_KEYS, path, '"retry"', problems);
  const policy = { ...DEFAULT_RETRY };
  if (raw.attempts !== undefined) {
    const n = raw.attempts;
    if (typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 100) policy.attempts = n;
    else problems.push(`${path}.attempts: must be a whole number from 1 to 100, not ${describe(n)}`);
  }
  if (raw.backoff !== undefined) {
    if (raw.backoff === 'exponential' || raw.backoff === 'fixed') policy.backoff = raw.backoff;
    else problems.push(`${path}.backoff: must be "exponential" or "fixed", not ${describe(raw.backoff)}`);
  }
  const initial = raw.initial === undefined ? null : readDuration(raw.initial, `${path}.initial`, problems);
  const max = raw.max === undefined ? null : readDuration(raw.max, `${path}.max`, problems);
  if (initial !== null) policy.initialMs = initial;
  if (max !== null) policy.maxMs = max;
  // Only compare what the author wrote: `initial: 10m` alone would otherwise clash with the default max.
  if (initial !== null && max !== null && max < initial) problems.push(`${path}.max: must be at least retry.initial`);
  else if (initial !== null && max === null && raw.max === undefined) policy.maxMs = Math.max(policy.maxMs, initial);
  return policy;
}

/** Checks that need every step: actions, `after` targets and channels, cycles, templates, config. */
function checkTogether(drafts: Draft[], ctx: ValidationContext, problems: Problems): void {
  const byId = new Map(drafts.map((d) => [d.spec.id, d]));
  const all = new Set(byId.keys());
  for (const { spec, path } of drafts) {
    if (ctx.actions && spec.uses !== '' && !ctx.actions.has(spec.uses)) problems.push(`${path}.uses: unknown action "${spec.uses}"`);
  }
  for (const { spec, afterPath } of drafts) {
    if (!spec.after) continue;
    const target = byId.get(spec.after.step);
    if (!target) {
      problems.push(`${afterPath}: no step "${spec.after.step}" in this reaction`);
      continue;
    }
    const channels = ctx.actions?.get(target.spec.uses)?.channels;
    if (channels && !channels.includes(spec.after.channel)) {
      const where = afterPath.endsWith('.step') ? afterPath.replace(/\.step$/, '.channel') : afterPath;
      problems.push(`${where}: action "${target.spec.uses}" has no channel "${spec.after.channel}" (it has ${channels.join(', ')})`);
    }
  }
  reportCycles(drafts, byId, problems);
  for (const { spec, path } of drafts) {
    const before = ancestors(spec.id, byId);
    checkTemplates(spec.with, `${path}.with`, { roots: STEP_ROOTS, steps: { all, before, current: spec.id } }, ctx, problems);
    problems.push(...literalSettingProblems(spec.with, ctx.actions?.get(spec.uses)?.literalSettings, `${path}.with`));
    const action = ctx.actions?.get(spec.uses);
    const own = action?.configProblems?.(spec.with, ctx.connections) ?? [];
    for (const problem of own) problems.push(`${path}.with.${problem.at}: ${problem.message}`);
    // A setting the action's own check refused is not reported again by its schema.
    const refused = new Set(own.map((problem) => problem.setting));
    if (action?.config) checkConfig(spec.with, action.config, spec.uses, `${path}.with`, problems, refused);
  }
}

/** Steps that have ended before `id` starts: its `after` chain. Stops at a cycle (reported elsewhere). */
function ancestors(id: string, byId: ReadonlyMap<string, Draft>): Set<string> {
  const found = new Set<string>();
  let next = byId.get(id)?.spec.after?.step;
  while (next !== undefined && next !== id && !found.has(next) && byId.has(next)) {
    found.add(next);
    next = byId.get(next)?.spec.after?.step;
  }
  return found;
}

/**
 * Each step has at most one `after`, so following them from any step either ends or loops;
 * each loop is reported once, on its first step in document order: `cycle: a after b after a`.
 */
function reportCycles(drafts: Draft[], byId: ReadonlyMap<string, Draft>, problems: Problems): void {
  const reported = new Set<string>();
  for (const { spec } of drafts) {
    const chain: string[] = [];
    let current: string | undefined = spec.id;
    while (current !== undefined && byId.has(current) && !chain.includes(current)) {
      chain.push(current);
      current = byId.get(current)?.spec.after?.step;
    }
    if (current === undefined || !chain.includes(current)) continue;
    const loop = chain.slice(chain.indexOf(current));
    if (loop.some((s) => reported.has(s))) continue;
    loop.forEach((s) => reported.add(s));
    // Start the message at the loop's first step in document order.
    const first = drafts.find((d) => loop.includes(d.spec.id)) as Draft;
    const start = loop.indexOf(first.spec.id);
    const ordered = [...loop.slice(start), ...loop.slice(0, start), first.spec.id];
    problems.push(`${first.path}.after: cycle: ${ordered.join(' after ')}`);
  }
}
