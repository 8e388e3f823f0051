/**
 * What Shipline changes in a parsed cel-js program, through the AST that `Environment.parse`
 * exposes (`program.ast`), since cel-js has no option for either:
 *
 * - Some built-in methods run on our own functions. cel-js registers `string.matches(string)` on
 *   JavaScript's RegExp, which backtracks, and `list.join` without a bound on the text it builds,
 *   and it refuses a second overload of the same signature. Before checking, every `x.matches(p)`
 *   and `list.join(...)` call is pointed at our own function (ROUTED), registered in its place.
 * - Evaluation is metered. Each node's `evaluate` is wrapped to count one step, so a program
 *   that loops long (nested macros over lists) is cut after a bounded number of steps, and the
 *   time budget is checked as it goes; what calls and `+` produce is checked for its size.
 *
 * Both rely on the AST's shape in @marcbachmann/cel-js 8 (nodes with `op`, `args`, `meta`, and
 * a lazily bound `evaluate`); condition.test.ts pins the behaviour, so an upgrade that changes
 * it fails there rather than silently restoring backtracking.
 */

/** The name `x.matches(p)` is evaluated under; messages show it as `matches` again. */
export const RE2_MATCHES = 'matches_re2';
/** The name `list.join(...)` is evaluated under. */
export const BOUNDED_JOIN = 'join_bounded';
const ROUTED: ReadonlyMap<string, string> = new Map([
  ['matches', RE2_MATCHES],
  ['join', BOUNDED_JOIN],
]);

interface CelNode {
  op: string;
  args: unknown;
  start: number;
  readonly meta: { alternate?: unknown; macro?: unknown };
  evaluate: (this: CelNode, ev: unknown, ast: CelNode, ctx: unknown) => unknown;
}

function isNode(value: unknown): value is CelNode {
  return value !== null && typeof value === 'object' && typeof (value as CelNode).op === 'string' && 'args' in value && 'meta' in value;
}

/** Every node reachable from `root`, including those a macro (`map`, `exists`, ...) expanded into. */
function eachNode(root: unknown, visit: (node: CelNode) => void): void {
  const seen = new Set<CelNode>();
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (Array.isArray(value)) {
      stack.push(...(value as unknown[]));
    } else if (isNode(value)) {
      if (seen.has(value)) continue;
      seen.add(value);
      visit(value);
      stack.push(value.args, value.meta.alternate);
    } else if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
      stack.push(...Object.values(value)); // a comprehension's {iterable, step, init, ...}
    }
  }
}

/** A `text.matches(pattern)` call: `rcall` with args [name, receiver, [pattern]]. */
function isMatchesCall(node: CelNode, name: string): node is CelNode & { args: [string, CelNode, CelNode[]] } {
  return (
    node.op === 'rcall' && Array.isArray(node.args) && node.args[0] === name && Array.isArray(node.args[2]) && node.args[2].length === 1
  );
}

/** Points every `x.matches(p)` and `list.join(...)` in the program at ours; call before checking it. */
export function routeBuiltins(ast: unknown): void {
  eachNode(ast, (node) => {
    if (node.op !== 'rcall' || !Array.isArray(node.args)) return;
    const routed = ROUTED.get(node.args[0] as string);
    if (routed !== undefined) node.args[0] = routed;
  });
}

/** The patterns written as literals (`x.matches('^v[0-9]+$')`), with their offset in the expression. */
export function literalPatterns(ast: unknown): Array<{ pattern: string; start: number }> {
  const found: Array<{ pattern: string; start: number }> = [];
  eachNode(ast, (node) => {
    let arg: CelNode | undefined;
    if (isMatchesCall(node, RE2_MATCHES)) arg = node.args[2][0];
    // The global form `matches(text, pattern)`: `call` with args [name, [text, pattern]].
    else if (node.op === 'call' && Array.isArray(node.args) && node.args[0] === 'matches' && Array.isArray(node.args[1]))
      arg = (node.args[1] as CelNode[])[1];
    if (arg && arg.op === 'value' && typeof arg.args === 'string') found.push({ pattern: arg.args, start: arg.start });
  });
  return found;
}

/** Nodes that make new values (calls, `+`); accessing a field or a variable does not. */
const PRODUCERS = new Set(['call', 'rcall', '+']);

/**
 * Makes every evaluated node call `tick` first, and hands what calls and `+` produce to
 * `produced`; call after checking (checking may add nodes).
 */
export function meterEvaluation(ast: unknown, tick: () => void, produced: (value: unknown) => void): void {
  eachNode(ast, (node) => {
    const lazy = Object.getPrototypeOf(node) as CelNode;
    const producer = PRODUCERS.has(node.op);
    let bound: CelNode['evaluate'] | null = null;
    const metered: CelNode['evaluate'] = function (ev, self, ctx) {
      tick();
      let result: unknown;
      if (bound !== null) {
        result = bound.call(this, ev, self, ctx);
      } else {
        // The prototype's evaluate picks the node's real evaluator on first use and stores it on
        // the node; keep that choice, then put the meter back in front of it.
        result = lazy.evaluate.call(this, ev, self, ctx);
        bound = this.evaluate;
        this.evaluate = metered;
      }
      if (producer) produced(result);
      return result;
    };
    node.evaluate = metered;
  });
}

/** cel-js messages name the internal functions; users wrote `matches` and `join`. */
export function userFacing(message: string): string {
  let out = message;
  for (const [name, routed] of ROUTED) out = out.replaceAll(routed, name);
  return out;
}
