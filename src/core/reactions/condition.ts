import { Environment } from '@marcbachmann/cel-js';
import { Budget, BudgetExceededError } from './budget.js';
import { BOUNDED_JOIN, literalPatterns, meterEvaluation, RE2_MATCHES, routeBuiltins, userFacing } from './cel-program.js';
import { regexMatches, regexProblem } from './regex.js';

/**
 * A compiled `on.if`: true only when the expression evaluates to exactly `true`. It runs under
 * `budget` (default: a budget of its own); an evaluation cut short by the budget is false, and
 * the reason is added to `budget.interruptions`.
 */
export type Condition = (scope: { event: unknown; data: unknown }, budget?: Budget) => boolean;

// `event` and `data` are the only names an expression sees; declaring them lets `check()` refuse
// typos such as `dta.x` when a reaction is applied instead of silently never matching.
// `matches` is CEL's RE2 (see cel-program.ts); both its receiver and its global form run on it.
// `join` is bounded: it measures the text before building it.
const env = new Environment({ limits: { maxAstNodes: 2000, maxDepth: 50 } })
  .registerVariable('event', 'dyn')
  .registerVariable('data', 'dyn')
  .registerFunction(`string.${RE2_MATCHES}(string): bool`, regexMatches)
  .registerFunction('matches(string, string): bool', regexMatches)
  .registerFunction(`list<string>.${BOUNDED_JOIN}(): string`, (list: unknown[]) => boundedJoin(list, ''))
  .registerFunction(`list<string>.${BOUNDED_JOIN}(string): string`, boundedJoin);

/** The evaluation under way: cel-js evaluates synchronously, so one meter at a time suffices. */
interface Meter {
  steps: number;
  budget: Budget;
  /** Why this evaluation was cut short; null while it runs within bounds. */
  stopped: string | null;
  /** Thrown again at every later step: macros such as `exists` catch and go on. */
  error: BudgetExceededError | null;
}
let meter: Meter | null = null;

/** Stops the evaluation under way for `reason`: this and every later step throw. */
function stop(m: Meter, reason: string): never {
  m.stopped ??= reason;
  throw (m.error ??= new BudgetExceededError(m.stopped));
}

/**
 * Text a call or `+` builds may be at most the budget's output cap: `list.map(x, data.big).join()`
 * would otherwise build hundreds of megabytes from one event, and `size()` of that takes seconds.
 */
function checkProduced(value: unknown): void {
  const m = meter;
  if (m === null || typeof value !== 'string' || value.length <= m.budget.limits.outputChars) return;
  stop(m, textTooLong(m));
}

function textTooLong(m: Meter): string {
  return `the expression built a text longer than ${m.budget.limits.outputChars.toLocaleString('en')} characters`;
}

/** CEL's `list.join(separator)`, refusing before it builds text past the cap. */
function boundedJoin(list: unknown[], separator: string): string {
  let length = 0;
  for (const item of list) {
    if (typeof item !== 'string') throw new Error('join(): list must contain only strings');
    length += item.length + separator.length;
    if (meter !== null && length > meter.budget.limits.outputChars) stop(meter, textTooLong(meter));
  }
  return list.join(separator);
}

function tick(): void {
  const m = meter;
  if (m === null) return;
  if (m.error !== null) throw m.error;
  if (++m.steps > m.budget.limits.celSteps)
    stop(m, `the expression took more than ${m.budget.limits.celSteps.toLocaleString('en')} evaluation steps`);
  if ((m.steps & 1023) === 0) {
    try {
      m.budget.checkTime();
    } catch (err) {
      throw (m.error = err as BudgetExceededError);
    }
  }
}

/**
 * Compiles a CEL expression over `{event, data}`. Throws on a syntax or type error. At evaluation,
 * any error (a missing field, a type mismatch, a pattern that is not RE2) or a result other than
 * `true` means false; celSyntaxError refuses literal patterns that are not RE2 before that.
 *
 * Numbers: event JSON arrives with JS numbers, which cel-js treats as CEL `double`, while integer
 * literals in the expression are CEL `int`. Comparisons across the two already work
 * (`1.0 == 1`), but arithmetic does not (`double + int` has no overload), so `data.count + 1 == 2`
 * would silently be false. We therefore hand CEL every safe integer as a BigInt (CEL `int`) and
 * leave fractions as `double`; then `data.count == 1`, `data.count > 0.5`, `data.count + 1 == 2`
 * and `size(data.items) == data.count` all behave as a reader expects. Fractions still follow
 * CEL's rules (`data.ratio * 2.0`, not `* 2`). The conversion is cached per event object, so N
 * reactions testing one event convert it once.
 */
export function compileCondition(expression: string): Condition {
  const program = compileProgram(expression);
  meterEvaluation(program.ast, tick, checkProduced);
  return (scope, budget = new Budget('one expression')) => {
    const m: Meter = { steps: 0, budget, stopped: null, error: null };
    let result: unknown;
    try {
      budget.checkTime();
      meter = m;
      result = program({ event: toCel(scope.event), data: toCel(scope.data) });
    } catch {
      result = false;
    } finally {
      meter = null;
    }
    // A macro such as `exists` may swallow the error that cut it short and still produce a value.
    const stopped = m.stopped ?? budget.exceeded;
    if (stopped !== null) {
      budget.interruptions.push(stopped);
      return false;
    }
    return result === true;
  };
}

/** Parsed and type-checked, `matches` pointed at RE2; throws on a syntax or type error. */
function compileProgram(expression: string) {
  const program = env.parse(expression);
  routeBuiltins(program.ast);
  const checked = program.check();
  if (!checked.valid) throw checked.error;
  return program;
}

/**
 * A one-line description of what is wrong with the expression, or null when it compiles. With
 * `patterns` (default true), a literal `matches` pattern must also be valid RE2: refused here, it
 * is refused when the reaction is applied rather than being false on every event.
 */
export function celSyntaxError(expression: string, options: { patterns?: boolean } = {}): string | null {
  try {
    const program = compileProgram(expression);
    if (options.patterns === false) return null;
    for (const { pattern, start } of literalPatterns(program.ast)) {
      const problem = regexProblem(pattern);
      if (problem) throw Object.assign(new Error(problem), { range: { start, end: start } });
    }
    return null;
  } catch (err) {
    return describeCelError(err, expression);
  }
}

function describeCelError(err: unknown, expression: string): string {
  const e = err as { summary?: unknown; message?: unknown; range?: { start?: unknown } | null };
  const summary = userFacing(typeof e.summary === 'string' ? e.summary : (String(e.message ?? err).split('\n')[0] ?? ''));
  const start = e.range && typeof e.range.start === 'number' ? e.range.start : null;
  if (start === null) return summary;
  const before = expression.slice(0, start).split('\n');
  const line = before.length;
  const column = (before.at(-1)?.length ?? 0) + 1;
  return line > 1 ? `${summary} (line ${line}, column ${column})` : `${summary} (column ${column})`;
}

const converted = new WeakMap<object, unknown>();

function toCel(value: unknown): unknown {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : value;
  if (value === null || typeof value !== 'object') return value;
  const cached = converted.get(value);
  if (cached !== undefined) return cached;
  let out: unknown;
  if (Array.isArray(value)) {
    out = value.map(toCel);
  } else if (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null) {
    const obj: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) obj[k] = toCel(v);
    out = obj;
  } else {
    out = value; // Dates, byte arrays and the like: cel-js knows them as they are.
  }
  converted.set(value, out);
  return out;
}
