import type { Budget } from './budget.js';
import type { ReactionSpec } from './document.js';
import { compileSourceTrigger } from './source-trigger.js';
import type { TriggerDeclaration } from './source-trigger.js';
import { compileCondition } from './condition.js';
import { scheduleSource } from '../schedule.js';

export { compileCondition, celSyntaxError } from './condition.js';
export type { Condition } from './condition.js';

type Filter = ReactionSpec['on']['filter'];

// Dotted segments of letters, digits, `_`, `-` and the wildcards; no empty segment, so `deploy.`
// or `a..b` (which no event type can have) are refused rather than silently never matching.
const GLOB = /^[A-Za-z0-9_\-*?]+(?:\.[A-Za-z0-9_\-*?]+)*$/;
const MAX_PATTERN = 200;

/** True when `pattern` is an event type or a glob over event types (`octopus.deployment.*`). */
export function isValidGlob(pattern: string): boolean {
  return pattern.length <= MAX_PATTERN && GLOB.test(pattern);
}

function hasWildcard(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?');
}

/**
 * `*` matches any run of characters (dots included), `?` exactly one; all else is literal.
 * The classic two-pointer walk (backtracking only to the last `*`) is O(pattern × type) at
 * worst, where a regex built from many stars can backtrack far longer.
 */
export function globMatches(pattern: string, type: string): boolean {
  let p = 0,
    t = 0,
    star = -1,
    resume = 0;
  while (t < type.length) {
    const c = pattern[p];
    if (c === '?' || (c !== undefined && c !== '*' && c === type[t])) {
      p++;
      t++;
    } else if (c === '*') {
      star = p++;
      resume = t;
    } else if (star >= 0) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/**
 * Finds what listens to an event type: exact patterns are a Map lookup, and only glob patterns
 * are tested one by one, so dispatch cost grows with the number of globs, not of reactions.
 * `match` returns exact listeners first, then glob listeners, each in the order added.
 */
export class TriggerIndex<T> {
  private readonly exact = new Map<string, T[]>();
  private readonly globs = new Map<string, T[]>();
  private count = 0;

  add(pattern: string, item: T): void {
    const bucket = hasWildcard(pattern) ? this.globs : this.exact;
    const items = bucket.get(pattern);
    if (items) items.push(item);
    else bucket.set(pattern, [item]);
    this.count++;
  }

  match(type: string): T[] {
    const found = [...(this.exact.get(type) ?? [])];
    for (const [pattern, items] of this.globs) if (globMatches(pattern, type)) found.push(...items);
    return found;
  }

  /** How many items were added. */
  get size(): number {
    return this.count;
  }
}

/** `getPath(v, 'service.name')` is `v.service.name`; undefined when any step is absent. Own properties only. */
export function getPath(value: unknown, dotted: string): unknown {
  return walk(value, dotted.split('.'));
}

function walk(value: unknown, segments: readonly string[]): unknown {
  let current = value;
  for (const segment of segments) {
    // Own properties only: `constructor` or `__proto__` must not reach into prototypes.
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/**
 * Every key must match one of its values. Scalars compare as strings, so a filter of 234 matches
 * a deploy number "234" (pipelines send either); null matches null or an absent field. When the
 * field holds a list, any element may match (`tags: prod` matches `tags: [prod, eu]`).
 */
export function filterMatches(filter: Filter, data: unknown): boolean {
  return compileFilter(filter)(data);
}

function compileFilter(filter: Filter): (data: unknown) => boolean {
  const checks = filterChecks(filter).map((c) => c.test);
  return (data) => checks.every((check) => check(data));
}

/** One check per filter key, in the document's order. */
function filterChecks(filter: Filter) {
  return Object.entries(filter).map(([key, values]) => {
    const segments = key.split('.');
    const wanted = new Set(values.filter((v) => v !== null).map(String));
    const wantsNull = values.includes(null);
    const matchesOne = (actual: unknown): boolean =>
      actual === null || actual === undefined ? wantsNull : isScalar(actual) && wanted.has(String(actual));
    const test = (data: unknown): boolean => {
      const actual = walk(data, segments);
      return Array.isArray(actual) ? actual.some(matchesOne) : matchesOne(actual);
    };
    return { key, values, segments, test };
  });
}

/**
 * The first filter key (in the document's order) the data does not match: its accepted values and
 * what the data holds there (undefined: nothing). Null when the whole filter matches.
 */
export function filterRefusal(filter: Filter, data: unknown): { key: string; expected: Filter[string]; actual: unknown } | null {
  const refused = filterChecks(filter).find((check) => !check.test(data));
  return refused ? { key: refused.key, expected: refused.values, actual: walk(data, refused.segments) } : null;
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/**
 * Compiles a trigger (event type or glob, then filter, then the connection and the options its
 * type declares, then `if`) into one predicate. `triggers` are the connection types' declarations:
 * they say how each option matches; an option none of them declares matches nothing. The `if`
 * runs under the budget given (default: its own); cut short by it, the trigger does not match.
 * A scheduled reaction (`reaction`: its name) matches only its own ticks.
 */
export function compileTrigger(
  on: ReactionSpec['on'],
  triggers: readonly TriggerDeclaration[],
  reaction?: string,
): (event: { type: string; source?: string; data: unknown }, budget?: Budget) => boolean {
  const base = compileEventTrigger(on, triggers);
  if (!on.schedule) return base;
  const source = scheduleSource(reaction ?? '');
  return (event, budget) => event.source === source && getPath(event.data, 'reaction') === reaction && base(event, budget);
}

function compileEventTrigger(
  on: ReactionSpec['on'],
  triggers: readonly TriggerDeclaration[],
): (event: { type: string; source?: string; data: unknown }, budget?: Budget) => boolean {
  const pattern = on.event;
  const typeMatches = hasWildcard(pattern) ? (type: string) => globMatches(pattern, type) : (type: string) => type === pattern;
  const filter = Object.keys(on.filter).length > 0 ? compileFilter(on.filter) : null;
  const condition = on.if === null ? null : compileCondition(on.if);
  const source = compileSourceTrigger(on, triggers) ?? null;
  return (event, budget) =>
    typeMatches(event.type) &&
    (filter === null || filter(event.data)) &&
    (source === null || source({ source: event.source ?? '', data: event.data })) &&
    (condition === null || condition({ event, data: event.data }, budget));
}
