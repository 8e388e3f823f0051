import { Type } from 'typebox';
import { parseDuration } from './reactions/durations.js';

/**
 * Durations in action configs, in the same grammar as reaction documents (`retry`, `timeout`):
 * a number of milliseconds, or `<number><unit>` parts largest first (`500ms`, `10s`, `5m`,
 * `1h30m`, `1d`).
 */

// The shape only; the order of units and the value are checked by `requireDuration`.
const SHAPE = '^\\s*(\\d+(\\.\\d+)?\\s*(ms|d|h|m|s)?\\s*)+$';

/** The config schema of a duration field; `ui` is what a form shows (title, placeholder). */
export const Duration = (description: string, ui: { title: string; placeholder?: string }) =>
  Type.Union([Type.Number({ exclusiveMinimum: 0 }), Type.String({ pattern: SHAPE })], { ...ui, description });

/** Milliseconds for a duration longer than zero; throws a readable Error for anything else. */
export function requireDuration(value: number | string): number {
  const ms = parseDuration(value);
  if (ms === null || ms <= 0) throw new Error(`"${String(value)}" is not a duration longer than zero: use e.g. 500ms, 10s, 5m or 1h30m`);
  return ms;
}
