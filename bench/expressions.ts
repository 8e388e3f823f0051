// Expressions benchmark: what RE2 (re2js) and the evaluation meter cost on a typical filter.
//
//   npm run bench:expressions [-- --rounds 200000]
//
// Evaluates one typical `on.if` against one deploy event, ROUNDS times each way, after a warm-up:
//   regex alone       JavaScript RegExp.test vs re2js test on the branch name
//   whole condition   cel-js as shipped (RegExp, no meter) vs Shipline's compileCondition
//                     (RE2 matches, metered steps, a budget per evaluation)
//   without a regex   the same two on a condition using startsWith instead: the meter's cost
// and reports nanoseconds per evaluation (median of 5 runs). Not part of `npm test`.
import { Environment } from '@marcbachmann/cel-js';
import { RE2JS } from 're2js';
import { Budget } from '../src/core/reactions/budget.js';
import { compileCondition } from '../src/core/reactions/condition.js';

const PATTERN = '^(main|release/v[0-9]+[.][0-9]+)$';
const CONDITION = `data.environment == "production" && data.commit.branch.matches('${PATTERN}')`;
/** The same without a regex: what the meter and the budget alone cost. */
const PLAIN_CONDITION = 'data.environment == "production" && data.commit.branch.startsWith("release/")';
const EVENT = {
  type: 'deploy.recorded',
  data: {
    serviceAlias: 'shopping_cart',
    environment: 'production',
    deployNumber: '234',
    commit: { sha: '38d02f1d7aab64678a7ad3eeb2ad2887ce7253f5', branch: 'release/v2.14' },
  },
};

function parseRounds(argv: readonly string[]): number {
  const at = argv.indexOf('--rounds');
  return at >= 0 ? Number(argv[at + 1]) : 200_000;
}

/** Median nanoseconds per call of `fn` over `rounds` calls, five times. */
function measure(rounds: number, fn: () => boolean): number {
  for (let i = 0; i < Math.min(rounds, 20_000); i++) fn();
  const runs: number[] = [];
  for (let r = 0; r < 5; r++) {
    let ok = 0;
    const start = process.hrtime.bigint();
    for (let i = 0; i < rounds; i++) if (fn()) ok++;
    const ns = Number(process.hrtime.bigint() - start) / rounds;
    if (ok !== rounds) throw new Error('the benchmark expression must be true');
    runs.push(ns);
  }
  return runs.sort((a, b) => a - b)[2]!;
}

function main(): void {
  const rounds = parseRounds(process.argv.slice(2));
  const branch = EVENT.data.commit.branch;
  const js = new RegExp(PATTERN);
  const re2 = RE2JS.compile(PATTERN);
  const plain = new Environment().registerVariable('event', 'dyn').registerVariable('data', 'dyn').parse(CONDITION);
  const shipline = compileCondition(CONDITION);
  const plainNoRegex = new Environment().registerVariable('event', 'dyn').registerVariable('data', 'dyn').parse(PLAIN_CONDITION);
  const shiplineNoRegex = compileCondition(PLAIN_CONDITION);
  const scope = { event: EVENT, data: EVENT.data };
  const rows: Array<[string, number]> = [
    ['RegExp.test', measure(rounds, () => js.test(branch))],
    ['re2js test', measure(rounds, () => re2.test(branch))],
    ['cel-js as shipped (RegExp, unmetered)', measure(rounds, () => plain(scope) === true)],
    ['Shipline condition (RE2, metered, own budget)', measure(rounds, () => shipline(scope))],
    [
      'Shipline condition, shared budget',
      ((budget) => measure(rounds, () => shipline(scope, budget)))(new Budget('bench', { timeMs: 3_600_000 })),
    ],
    ['no regex: cel-js as shipped (unmetered)', measure(rounds, () => plainNoRegex(scope) === true)],
    ['no regex: Shipline condition (metered)', measure(rounds, () => shiplineNoRegex(scope))],
  ];
  console.log(`${rounds.toLocaleString('en')} evaluations of: ${CONDITION}`);
  for (const [name, ns] of rows) console.log(`${name.padEnd(48)} ${ns.toFixed(0).padStart(7)} ns`);
}

main();
