import { Budget } from './budget.js';
import type { ReactionSpec } from './document.js';
import { compileTrigger, filterMatches, globMatches } from './matching.js';
import { scheduleSource } from '../schedule.js';
import { effectiveTriggerOptions, type TriggerDeclaration } from './source-trigger.js';

/** An event as far as matching looks at it. */
export interface MatchedEvent {
  type: string;
  source?: string;
  data: unknown;
}

/** A reaction never starts on the end of its own runs: that would loop forever. */
export function isOwnRunEvent(event: MatchedEvent, reaction: string): boolean {
  return event.type.startsWith('run.') && (event.data as { reaction?: unknown } | null)?.reaction === reaction;
}

/** A tick of the named reaction's schedule (its source and data name it). */
function isOwnTick(event: MatchedEvent, reaction: string): boolean {
  return event.source === scheduleSource(reaction) && (event.data as { reaction?: unknown } | null)?.reaction === reaction;
}

/**
 * Why the reaction would not start on the event, naming the part that refused (the dry run and an
 * event's matches both say this); null when it would start. The condition runs under `budget`.
 */
export function refusal(
  spec: ReactionSpec,
  event: MatchedEvent,
  triggers: readonly TriggerDeclaration[],
  budget: Budget = new Budget('one dry run'),
): string | null {
  if (!spec.enabled) return 'the reaction is disabled';
  if (!globMatches(spec.on.event, event.type)) return `event type ${event.type} does not match ${spec.on.event}`;
  if (isOwnRunEvent(event, spec.name)) return `the event is the end of one of this reaction's own runs`;
  if (!filterMatches(spec.on.filter, event.data)) return 'the filter does not match the event data';
  if (spec.on.schedule && !isOwnTick(event, spec.name)) return `the event is not a tick of this reaction's schedule`;
  if (!compileTrigger({ ...spec.on, if: null }, triggers, spec.name)(event)) {
    // What was compared, the declared defaults included (they refuse as much as what is written).
    const given: Record<string, unknown> = spec.on.connection === undefined ? {} : { connection: spec.on.connection };
    for (const option of effectiveTriggerOptions(spec.on, triggers)) given[option.key] = option.value;
    const keys = Object.keys(given).map((key) => `on.${key}`);
    return `${humanList(keys)} ${keys.length === 1 ? 'does' : 'do'} not match (${JSON.stringify(given)})`;
  }
  const cut = budget.interruptions.length;
  if (!compileTrigger(spec.on, triggers, spec.name)(event, budget)) {
    const stopped = budget.interruptions[cut];
    return stopped === undefined ? `the condition is false: ${spec.on.if}` : `the condition was stopped: ${stopped}`;
  }
  return null;
}

/** `a`, `a or b`, `a, b or c`. */
function humanList(words: string[]): string {
  return words.length <= 1 ? (words[0] ?? 'the options') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}
