import { Budget } from './budget.js';
import type { ReactionSpec } from './document.js';
import { compileTrigger, filterRefusal, globMatches } from './matching.js';
import { scheduleSource } from '../schedule.js';
import { sourceTriggerRefusal, type OptionRefusal, type TriggerDeclaration } from './source-trigger.js';
import { alternatives, shownValue, valueWords } from './shown-value.js';
import type { RefusedBy } from './refused-by.js';

export type { RefusedBy, RefusingPart } from './refused-by.js';

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

/** Why a reaction would not start on an event: in words, and which part refused. */
export interface Refusal {
  reason: string;
  refusedBy: RefusedBy;
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
): Refusal | null {
  if (!spec.enabled) return { reason: 'the reaction is disabled', refusedBy: { part: 'disabled' } };
  if (!globMatches(spec.on.event, event.type))
    return {
      reason: `event type ${event.type} does not match ${spec.on.event}`,
      refusedBy: { part: 'event', expected: spec.on.event, actual: event.type },
    };
  if (isOwnRunEvent(event, spec.name))
    return { reason: `the event is the end of one of this reaction's own runs`, refusedBy: { part: 'own-run' } };
  const filter = filterRefusal(spec.on.filter, event.data);
  if (filter) {
    const { key, expected, actual } = filter;
    return {
      reason: `on.filter.${key} accepts ${alternatives(expected)}, but ${theEventHas({ [key]: actual })}`,
      refusedBy: withActual({ part: 'filter', key, expected: shownValue(expected) }, actual),
    };
  }
  if (spec.on.schedule && !isOwnTick(event, spec.name))
    return { reason: `the event is not a tick of this reaction's schedule`, refusedBy: { part: 'schedule' } };
  const option = sourceTriggerRefusal(spec.on, triggers, { source: event.source ?? '', data: event.data });
  if (option) return { reason: optionReason(spec.on.event, option), refusedBy: optionRefusedBy(option) };
  const cut = budget.interruptions.length;
  if (!compileTrigger(spec.on, triggers, spec.name)(event, budget)) {
    const stopped = budget.interruptions[cut];
    return {
      reason: stopped === undefined ? `the condition is false: ${spec.on.if}` : `the condition was stopped: ${stopped}`,
      refusedBy: { part: 'condition', expected: spec.on.if },
    };
  }
  return null;
}

function optionReason(event: string, option: OptionRefusal): string {
  const wants = `on.${option.key} accepts ${alternatives(Array.isArray(option.expected) ? option.expected : [option.expected])}`;
  if (!option.declared) return `${wants}, but no connection type says how to match on.${option.key}, so it matches no event`;
  if (option.key === 'connection')
    return `on.connection is ${valueWords(option.expected)}, but the event came from ${valueWords(option.actual)}`;
  const defaulted = option.byDefault ? ` (the default for ${event})` : '';
  const held = (option.actual ?? {}) as Record<string, unknown>;
  return `${wants}${defaulted}, but ${theEventHas(Object.fromEntries(option.fields.map((field) => [field, held[field]])))}`;
}

function optionRefusedBy(option: OptionRefusal): RefusedBy {
  return withActual({ part: 'trigger', key: option.key, expected: shownValue(option.expected) }, option.actual);
}

/** `actual` is left out when the event holds nothing there (JSON has no undefined). */
function withActual(refusedBy: RefusedBy, actual: unknown): RefusedBy {
  return actual === undefined ? refusedBy : { ...refusedBy, actual: shownValue(actual) };
}

/** `the event has environment "Staging"`, `the event has no environment`, `… projectId "P-1" and projectName "Web"`. */
function theEventHas(fields: Record<string, unknown>): string {
  const present = Object.entries(fields).filter(([, value]) => value !== undefined);
  if (present.length === 0) return `the event has no ${Object.keys(fields).join(' and no ')}`;
  const words = present.map(([field, value]) => `${field} ${valueWords(value)}`);
  return `the event has ${words.length <= 1 ? words[0] : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`}`;
}
