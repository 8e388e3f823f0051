/**
 * One budget bounds all the expressions and templates evaluated for one piece of work: the
 * conditions of one event's dispatch, one dry run, or one step's rendering. A per-step or
 * per-render limit alone would let a reaction of many steps and leaves take minutes; a shared
 * budget keeps the whole piece of work under one bound, whatever its shape.
 */

/** What one budget allows. */
export interface BudgetLimits {
  /** Wall time for everything evaluated under the budget. Default 1000 ms. */
  timeMs: number;
  /** Text all templates under the budget may produce, in characters. Default 1 MiB (1,048,576). */
  outputChars: number;
  /** Units Liquid counts as allocated (ranges, string filters) under the budget. Default 10,000,000. */
  memoryUnits: number;
  /** Evaluation steps (AST nodes visited) one CEL expression may take. Default 100,000 (about 5 ms). */
  celSteps: number;
}

const DEFAULT_BUDGET: BudgetLimits = {
  timeMs: 1000,
  outputChars: 1024 * 1024,
  memoryUnits: 10_000_000,
  celSteps: 100_000,
};

/** Thrown where evaluation is cut; callers read `budget.exceeded` rather than trusting a caught error's type. */
export class BudgetExceededError extends Error {
  override readonly name = 'BudgetExceededError';
}

export class Budget {
  readonly limits: BudgetLimits;
  /** What the work under this budget is, for messages: "one event's dispatch", "one dry run", "one step". */
  readonly label: string;
  private readonly now: () => number;
  private readonly deadline: number;
  private output = 0;
  private memory = 0;
  /** Why the budget ran out; once set, every later charge fails at once. Null while it lasts. */
  exceeded: string | null = null;
  /** Why single expressions were cut short (their own step cap, or the budget), in order. */
  readonly interruptions: string[] = [];

  constructor(label: string, limits: Partial<BudgetLimits> = {}, now: () => number = () => performance.now()) {
    this.label = label;
    this.limits = { ...DEFAULT_BUDGET, ...limits };
    this.now = now;
    this.deadline = now() + this.limits.timeMs;
  }

  /** Throws once the time is spent (or the budget ran out otherwise). */
  checkTime(at: number = this.now()): void {
    if (this.exceeded === null && at > this.deadline) {
      this.fail(`expressions and templates took longer than ${this.limits.timeMs} ms in ${this.label}`);
    }
    if (this.exceeded !== null) throw new BudgetExceededError(this.exceeded);
  }

  /** Counts `chars` of rendered text; throws past the output cap. */
  chargeOutput(chars: number): void {
    this.output += chars;
    if (this.exceeded === null && this.output > this.limits.outputChars) {
      this.fail(`templates rendered more than ${formatChars(this.limits.outputChars)} in ${this.label}`);
    }
    this.checkTime();
  }

  /** Counts what Liquid reports as allocated; throws past the memory cap. */
  chargeMemory(units: number): void {
    if (!(units > 0)) return;
    this.memory += units;
    if (this.exceeded === null && this.memory > this.limits.memoryUnits) {
      this.fail(`templates allocated more than ${this.limits.memoryUnits.toLocaleString('en')} units in ${this.label}`);
    }
    if (this.exceeded !== null) throw new BudgetExceededError(this.exceeded);
  }

  /** Marks the budget spent with `reason` (the first reason stays) and throws. */
  fail(reason: string): never {
    this.exceeded ??= reason;
    throw new BudgetExceededError(this.exceeded);
  }
}

function formatChars(chars: number): string {
  if (chars % (1024 * 1024) === 0) return `${chars / (1024 * 1024)} MiB`;
  if (chars % 1024 === 0) return `${chars / 1024} KiB`;
  return `${chars} characters`;
}
