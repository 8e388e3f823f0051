import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';
import type { Problems } from './validate-shared.js';
import { describe } from './validate-shared.js';

/**
 * Trigger options for events that come through a connection: which connection (`on.connection`,
 * matched on the event's source `connection:<name>`), and the options the connection's type
 * declares for its events (a TypeBox schema), checked against that schema and matched against an
 * event's data as each option's `match` says.
 */
export interface SourceTrigger {
  connection?: string;
  /** The options connection types declare, by key. */
  [option: string]: unknown;
}

/**
 * How a declared option matches an event's data, given as `match` in the option's schema:
 * - `oneOf`: the option is a list; the data field named must hold one of its values. `defaults`
 *   gives the list used, for an `on.event` written exactly so, when the option is left out.
 * - `idField`/`nameField`: the option names one thing; the data's id field equals it, or its name
 *   field does, ignoring case.
 */
export type TriggerMatch =
  { oneOf: string; defaults?: Readonly<Record<string, readonly string[]>> } | { idField: string; nameField: string };

/** What a connection type lets `on:` say about its events: options on `<type>.*` events, as a schema. */
export interface TriggerDeclaration {
  /** The connection type; its events are `<type>.*`. */
  type: string;
  /** A TypeBox object schema: each property one option, with a `match` (TriggerMatch) saying how it matches. */
  schema: TSchema;
}

/** The declarations of the connection types that have trigger options. */
export function triggerDeclarations(types: ReadonlyArray<{ type: string; trigger?: TSchema }>): TriggerDeclaration[] {
  return types.flatMap((t) => (t.trigger ? [{ type: t.type, schema: t.trigger }] : []));
}

/** The keys of `on` besides the options connection types declare. */
export const BASE_ON_KEYS = ['event', 'schedule', 'filter', 'if', 'connection'] as const;

/** The source a connection's events carry. */
export function connectionSource(name: string): string {
  return `connection:${name}`;
}

const optionsOf = (d: TriggerDeclaration) => (d.schema as { properties?: Record<string, TSchema> }).properties ?? {};
const matchOf = (schema: TSchema | undefined) => (schema as { match?: TriggerMatch } | undefined)?.match;

/** Every option key some connection type declares. */
export function triggerOptionKeys(triggers: readonly TriggerDeclaration[]): string[] {
  return [...new Set(triggers.flatMap((d) => Object.keys(optionsOf(d))))];
}

/** True when the event type or glob names (some of) the type's events: `<type>.…` or `<type>*`. */
const aboutType = (event: string, type: string) => event.startsWith(`${type}.`) || event === `${type}*`;

/**
 * Reads the options from `on`, listing problems; returns only those given. Without `triggers`
 * (a stored document, checked when it was applied) the options are taken as they are.
 */
export function readSourceTrigger(
  raw: Record<string, unknown>,
  event: string,
  problems: Problems,
  triggers?: readonly TriggerDeclaration[],
): SourceTrigger {
  const out: Record<string, unknown> = {};
  if (raw.connection !== undefined && raw.connection !== null) {
    if (typeof raw.connection === 'string' && raw.connection !== '') out.connection = raw.connection;
    else problems.push(`on.connection: must be a connection name, not ${describe(raw.connection)}`);
  }
  // In the order the types declare them (unknown keys are reported with the others by the caller).
  const keys = triggers ? triggerOptionKeys(triggers) : Object.keys(raw).filter((k) => !(BASE_ON_KEYS as readonly string[]).includes(k));
  for (const key of keys) {
    const value = raw[key];
    if (value === undefined || value === null) continue;
    if (!triggers) {
      out[key] = value;
      continue;
    }
    const owners = triggers.filter((d) => key in optionsOf(d));
    const owner = owners.find((d) => aboutType(event, d.type));
    if (!owner) {
      problems.push(`on.${key}: only applies to ${owners.map((d) => `${d.type}.*`).join(', ')} events`);
      continue;
    }
    const schema = optionsOf(owner)[key]!;
    if (!Value.Check(schema, value)) {
      problems.push(
        `on.${key}: must be ${(schema as { description?: string }).description ?? 'as the connection type declares'}, not ${describe(value)}`,
      );
      continue;
    }
    // One value where a list is declared is a one-item list.
    const takesList = ((schema as { anyOf?: Array<{ type?: unknown }> }).anyOf ?? []).some((s) => s.type === 'array');
    out[key] = takesList && !Array.isArray(value) ? [value] : value;
  }
  return out as SourceTrigger;
}

/**
 * How each option of `on` matches, from the declaration of the type whose events `on.event` names
 * (else of any type declaring the option, as older documents may hold it).
 */
function optionMatches(event: string, triggers: readonly TriggerDeclaration[]): Map<string, TriggerMatch> {
  const byKey = new Map<string, TriggerMatch>();
  const ordered = [...triggers.filter((d) => aboutType(event, d.type)), ...triggers.filter((d) => !aboutType(event, d.type))];
  for (const d of ordered)
    for (const [key, schema] of Object.entries(optionsOf(d))) {
      const match = matchOf(schema);
      if (match && !byKey.has(key)) byKey.set(key, match);
    }
  return byKey;
}

/**
 * The options a trigger matches with: those given, and the declared defaults for `on.event` of
 * those left out. An option given that no declaration says how to match is kept, with no match.
 */
export function effectiveTriggerOptions(
  on: { event: string } & SourceTrigger,
  triggers: readonly TriggerDeclaration[],
): Array<{ key: string; value: unknown; match: TriggerMatch | undefined }> {
  const matches = optionMatches(on.event, triggers);
  const out: Array<{ key: string; value: unknown; match: TriggerMatch | undefined }> = [];
  for (const [key, value] of Object.entries(on)) {
    if ((BASE_ON_KEYS as readonly string[]).includes(key) || value === undefined || value === null) continue;
    out.push({ key, value, match: matches.get(key) });
  }
  for (const [key, match] of matches) {
    if (on[key] !== undefined && on[key] !== null) continue;
    const fallback = 'oneOf' in match ? match.defaults?.[on.event] : undefined;
    if (fallback) out.push({ key, value: fallback, match });
  }
  return out;
}

const sameName = (a: unknown, b: string) => typeof a === 'string' && a.toLowerCase() === b.toLowerCase();

function compileOption(value: unknown, match: TriggerMatch | undefined): (data: Record<string, unknown>) => boolean {
  // An option nothing says how to match could narrow what the reaction wants: it matches nothing.
  if (match === undefined) return () => false;
  if ('oneOf' in match) {
    const wanted = (Array.isArray(value) ? value : [value]).map(String);
    return (data) => wanted.includes(String(data[match.oneOf]));
  }
  const wanted = String(value);
  return (data) => data[match.idField] === wanted || sameName(data[match.nameField], wanted);
}

/** A predicate over an event for the options given (and defaulted); undefined when there are none to test. */
export function compileSourceTrigger(
  on: { event: string } & SourceTrigger,
  triggers: readonly TriggerDeclaration[],
): ((e: { source: string; data: unknown }) => boolean) | undefined {
  const source = on.connection === undefined ? undefined : connectionSource(on.connection);
  const options = effectiveTriggerOptions(on, triggers).map((o) => compileOption(o.value, o.match));
  if (source === undefined && options.length === 0) return undefined;
  return (e) => {
    if (source !== undefined && e.source !== source) return false;
    const data = (e.data ?? {}) as Record<string, unknown>;
    return options.every((test) => test(data));
  };
}

/** Which part of a trigger's connection and options refused an event, and what was compared. */
export interface OptionRefusal {
  /** `connection`, or the option's key (`project`, `categories`...). */
  key: string;
  /** The connection's name, or the option's value (the declared default when it was left out). */
  expected: unknown;
  /** The data fields the option compares (none for `connection`). */
  fields: string[];
  /** The event's source (for `connection`), or those of `fields` the event's data holds, by name; absent when it holds none. */
  actual?: unknown;
  /** True when `expected` is the declared default of an option left out. */
  byDefault: boolean;
  /** False when no declaration says how the option matches: then it matches no event. */
  declared: boolean;
}

/**
 * The first of the connection and the options (defaults included) that an event does not match,
 * in the order compileSourceTrigger tests them; null when they all match (or there are none).
 */
export function sourceTriggerRefusal(
  on: { event: string } & SourceTrigger,
  triggers: readonly TriggerDeclaration[],
  event: { source: string; data: unknown },
): OptionRefusal | null {
  if (on.connection !== undefined && event.source !== connectionSource(on.connection))
    return { key: 'connection', expected: on.connection, fields: [], actual: event.source, byDefault: false, declared: true };
  const data = (event.data ?? {}) as Record<string, unknown>;
  for (const option of effectiveTriggerOptions(on, triggers)) {
    if (compileOption(option.value, option.match)(data)) continue;
    const byDefault = on[option.key] === undefined || on[option.key] === null;
    const base = { key: option.key, expected: option.value, byDefault };
    if (option.match === undefined) return { ...base, fields: [], declared: false };
    const fields = 'oneOf' in option.match ? [option.match.oneOf] : [option.match.idField, option.match.nameField];
    const held = fields.filter((field) => data[field] !== undefined).map((field) => [field, data[field]]);
    return { ...base, fields, declared: true, ...(held.length > 0 ? { actual: Object.fromEntries(held) } : {}) };
  }
  return null;
}
