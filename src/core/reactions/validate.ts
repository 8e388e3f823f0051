import type { ActionInfo, ReactionSpec, Validation, ValidationContext } from './document.js';
import { celSyntaxError } from './condition.js';
import { documentSizeProblem, MAX_STEPS } from './document-limits.js';
import { isValidGlob } from './matching.js';
import { isPlainObject } from './templates.js';
import { NAME_PATTERN, NAME_RULE, checkTemplates, describe, unknownKeys, type Problems } from './validate-shared.js';
import { readSteps } from './validate-steps.js';
import { BASE_ON_KEYS, readSourceTrigger, triggerOptionKeys } from './source-trigger.js';
import { readSchedule } from './validate-schedule.js';
import { SCHEDULE_EVENT } from '../schedule.js';

const TOP_KEYS = ['name', 'description', 'enabled', 'on', 'concurrency', 'steps'] as const;
const CONCURRENCY_KEYS = ['key', 'limit'] as const;
// The key is rendered when a run is created, before any step and without loading secrets
// (a secret in a key would also be stored in clear), so it sees the event only.
const CONCURRENCY_ROOTS = ['event', 'data'] as const;
const FILTER_VALUE = 'must be a string, number, boolean or null, or a list of them';

type FilterValue = string | number | boolean | null;

/**
 * Checks a reaction document and normalizes it into a ReactionSpec. Every problem is listed as
 * `path: message`; checking never stops at the first. Absent members of `ctx` skip their checks.
 */
export function validateReaction(raw: unknown, ctx: ValidationContext): Validation {
  if (!isPlainObject(raw)) return { ok: false, problems: [`reaction: must be an object, not ${describe(raw)}`] };
  if (ctx.applying) {
    // Before anything else: a document too large is not worth checking further.
    const tooLarge = documentSizeProblem(raw);
    if (tooLarge) return { ok: false, problems: [tooLarge] };
    if (isPlainObject(raw.steps) && Object.keys(raw.steps).length > MAX_STEPS) {
      return { ok: false, problems: [`steps: ${Object.keys(raw.steps).length} steps; a reaction may have at most ${MAX_STEPS}`] };
    }
  }
  const problems: Problems = [];
  unknownKeys(raw, TOP_KEYS, '', 'a reaction', problems);

  let name = '';
  if (raw.name === undefined) problems.push('name: required');
  else if (typeof raw.name !== 'string' || !NAME_PATTERN.test(raw.name))
    problems.push(`name: invalid name ${describe(raw.name)}; use ${NAME_RULE}`);
  else name = raw.name;

  let description: string | null = null;
  if (typeof raw.description === 'string') description = raw.description;
  else if (raw.description !== undefined && raw.description !== null)
    problems.push(`description: must be text, not ${describe(raw.description)}`);

  let enabled = true;
  if (typeof raw.enabled === 'boolean') enabled = raw.enabled;
  else if (raw.enabled !== undefined) problems.push(`enabled: must be true or false, not ${describe(raw.enabled)}`);

  const on = readOn(raw.on, ctx, problems);
  const concurrency = readConcurrency(raw.concurrency, ctx, problems);
  const steps = readSteps(raw.steps, ctx, problems);
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, reaction: { name, description, enabled, on, concurrency, steps } };
}

function readOn(raw: unknown, ctx: ValidationContext, problems: Problems): ReactionSpec['on'] {
  const on: ReactionSpec['on'] = { event: '', filter: {}, if: null };
  if (raw === undefined) {
    problems.push('on: required; name the event that starts this reaction in on.event');
    return on;
  }
  if (!isPlainObject(raw)) {
    problems.push(`on: must be an object with "event", not ${describe(raw)}`);
    return on;
  }
  // Without the connection types' declarations (a stored document) the options are not checked again.
  if (ctx.triggers) unknownKeys(raw, [...BASE_ON_KEYS, ...triggerOptionKeys(ctx.triggers)], 'on', '"on"', problems);
  const scheduled = raw.schedule !== undefined && raw.schedule !== null;
  if (scheduled) {
    // Time starts it: its ticks are `schedule.fired` events for this reaction alone.
    if (raw.event !== undefined) problems.push('on: give either on.event or on.schedule, not both');
    if (raw.connection !== undefined && raw.connection !== null)
      problems.push('on.connection: a scheduled reaction is started by time, not by a connection');
    const schedule = readSchedule(raw.schedule, problems);
    on.event = SCHEDULE_EVENT;
    if (schedule) on.schedule = schedule;
  } else if (raw.event === undefined) problems.push('on.event: required');
  else if (typeof raw.event !== 'string' || !isValidGlob(raw.event)) {
    problems.push(
      `on.event: invalid event type or glob ${describe(raw.event)}; use dotted letters, digits, "_", "-", with "*" for any run of characters and "?" for one`,
    );
  } else on.event = raw.event;

  if (isPlainObject(raw.filter)) on.filter = readFilter(raw.filter, problems);
  else if (raw.filter !== undefined && raw.filter !== null)
    problems.push(`on.filter: must be an object of field → value(s), not ${describe(raw.filter)}`);

  if (typeof raw.if === 'string') {
    const error = celSyntaxError(raw.if, { patterns: ctx.applying === true });
    if (error) problems.push(`on.if: invalid CEL expression: ${error}`);
    else on.if = raw.if;
  } else if (raw.if !== undefined && raw.if !== null) problems.push(`on.if: must be a CEL expression (text), not ${describe(raw.if)}`);
  return { ...on, ...readSourceTrigger(raw, on.event, problems, ctx.triggers) };
}

function readFilter(raw: Record<string, unknown>, problems: Problems): ReactionSpec['on']['filter'] {
  const filter: ReactionSpec['on']['filter'] = {};
  for (const [key, value] of Object.entries(raw)) {
    const path = `on.filter.${key}`;
    if (key.split('.').some((segment) => segment === ''))
      problems.push(`${path}: invalid field path; use dotted field names (service.name)`);
    const values = Array.isArray(value) ? value : [value];
    if (Array.isArray(value) && value.length === 0) problems.push(`${path}: must list at least one value`);
    else if (!values.every(isFilterValue))
      problems.push(`${path}: ${FILTER_VALUE}, not ${describe(values.find((v) => !isFilterValue(v)))}`);
    else filter[key] = values as FilterValue[];
  }
  return filter;
}

function isFilterValue(value: unknown): value is FilterValue {
  return value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}

function readConcurrency(raw: unknown, ctx: ValidationContext, problems: Problems): ReactionSpec['concurrency'] {
  if (raw === undefined || raw === null) return null;
  if (!isPlainObject(raw)) {
    problems.push(`concurrency: must be an object with "key" and "limit", not ${describe(raw)}`);
    return null;
  }
  unknownKeys(raw, CONCURRENCY_KEYS, 'concurrency', '"concurrency"', problems);
  let key = '';
  if (raw.key === undefined) problems.push('concurrency.key: required');
  else if (typeof raw.key !== 'string' || raw.key === '')
    problems.push(`concurrency.key: must be text (a template), not ${describe(raw.key)}`);
  else {
    key = raw.key;
    checkTemplates(key, 'concurrency.key', { roots: CONCURRENCY_ROOTS }, ctx, problems);
  }
  let limit = 1;
  if (raw.limit !== undefined) {
    if (typeof raw.limit === 'number' && Number.isInteger(raw.limit) && raw.limit >= 1) limit = raw.limit;
    else problems.push(`concurrency.limit: must be a whole number of at least 1, not ${describe(raw.limit)}`);
  }
  return { key, limit };
}

/** The admin-only actions a reaction uses, each once, in step order; applying it then needs the admin role. */
export function usesAdminOnlyAction(spec: ReactionSpec, actions: ReadonlyMap<string, ActionInfo>): string[] {
  return [...new Set(spec.steps.map((s) => s.uses).filter((uses) => actions.get(uses)?.adminOnly === true))];
}
