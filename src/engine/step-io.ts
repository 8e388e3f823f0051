import { redactSecrets } from '../core/reactions/templates.js';

const MAX_LOG_LINES = 1000;
const MAX_LOG_LINE = 4096;

/**
 * A step's log and the secret values to hide from everything recorded about it. Values of
 * secrets the step's templates used, and of any secret the action looked up, are redacted
 * from its input, output, log and error before they are stored.
 */
export class StepRecorder {
  readonly logs: string[];
  private readonly secretValues = new Set<string>();

  constructor(previous: string[], private readonly now: () => Date) {
    this.logs = [...previous];
  }

  hide(value: string): void {
    this.secretValues.add(value);
  }

  log(line: string): void {
    if (this.logs.length >= MAX_LOG_LINES) return;
    const text = line.length > MAX_LOG_LINE ? `${line.slice(0, MAX_LOG_LINE)}…` : line;
    this.logs.push(`${this.now().toISOString()} ${text}`);
    if (this.logs.length === MAX_LOG_LINES) this.logs.push(`${this.now().toISOString()} (log truncated at ${MAX_LOG_LINES} lines)`);
  }

  redact<T>(value: T): T {
    return this.secretValues.size === 0 ? value : redactSecrets(value, [...this.secretValues]);
  }
}
