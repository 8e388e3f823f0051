import { Environment } from '@marcbachmann/cel-js';

/** A compiled `on.if`: true only when the expression evaluates to exactly `true`. */
export type Condition = (scope: { event: unknown; data: unknown }) => boolean;

// `event` and `data` are the only names an expression sees; declaring them lets `check()` refuse
// typos such as `dta.x` when a reaction is applied instead of silently never matching.
const env = new Environment({ limits: { maxAstNodes: 2000, maxDepth: 50 } })
  .registerVariable('event', 'dyn')
  .registerVariable('data', 'dyn');

/**
 * Compiles a CEL expression over `{event, data}`. Throws on a syntax or type error. At evaluation,
 * any error (a missing field, a type mismatch) or a result other than `true` means false.
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
  const program = env.parse(expression);
  const checked = program.check();
  if (!checked.valid) throw checked.error;
  return (scope) => {
    try {
      return program({ event: toCel(scope.event), data: toCel(scope.data) }) === true;
    } catch {
      return false;
    }
  };
}

/** A one-line description of what is wrong with the expression, or null when it compiles. */
export function celSyntaxError(expression: string): string | null {
  try {
    compileCondition(expression);
    return null;
  } catch (err) {
    return describeCelError(err, expression);
  }
}

function describeCelError(err: unknown, expression: string): string {
  const e = err as { summary?: unknown; message?: unknown; range?: { start?: unknown } | null };
  const summary = typeof e.summary === 'string' ? e.summary : (String(e.message ?? err).split('\n')[0] ?? '');
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
