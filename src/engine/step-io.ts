import { maskTexts } from '../core/reactions/redact.js';
import { ANONYMOUS_PLACEHOLDER, derivedTexts, secretPlaceholder } from '../core/reactions/secret-placeholders.js';

const MAX_LOG_LINES = 1000;
const MAX_LOG_LINE = 4096;

/**
 * A step's log and what to hide from everything recorded about it. A step's input is recorded as
 * rendered with placeholders, so it never needs this; what the action hands back (output, error,
 * log lines) might echo what was sent, so the values of secrets the step used or looked up, and
 * every text derived from them in the real rendering, are replaced by placeholders before any of
 * it is stored.
 */
export class StepRecorder {
  readonly logs: string[];
  private readonly masks = new Map<string, string>();

  constructor(
    previous: string[],
    private readonly now: () => Date,
  ) {
    this.logs = [...previous];
  }

  /** Hides a secret's value; `name` (when it has one) says which placeholder it reads as. */
  hide(value: string, name?: string): void {
    this.masks.set(value, name === undefined ? ANONYMOUS_PLACEHOLDER : secretPlaceholder(name));
  }

  /** Hides every text of the real rendering `real` that differs from its placeholder rendering `shown`. */
  hideDerived(real: unknown, shown: unknown): void {
    for (const [text, as] of derivedTexts(real, shown)) if (!this.masks.has(text)) this.masks.set(text, as);
  }

  /** Appends a line, redacted: the engine logs errors whose message may quote what was sent. */
  log(line: string): void {
    if (this.logs.length >= MAX_LOG_LINES) return;
    const redacted = this.redact(line);
    const text = redacted.length > MAX_LOG_LINE ? `${redacted.slice(0, MAX_LOG_LINE)}…` : redacted;
    this.logs.push(`${this.now().toISOString()} ${text}`);
    if (this.logs.length === MAX_LOG_LINES) this.logs.push(`${this.now().toISOString()} (log truncated at ${MAX_LOG_LINES} lines)`);
  }

  redact<T>(value: T): T {
    return this.masks.size === 0 ? value : maskTexts(value, this.masks);
  }
}
