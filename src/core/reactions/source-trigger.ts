import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';
import type { Problems } from './validate-shared.js';
import { describe } from './validate-shared.js';

/**
 * Trigger options for events that come through a connection: which connection (`on.connection`,
 * matched on the event's source `connection:<name>`), and the options the connection's type
 * declares for its events (a TypeBox schema: Octopus's categories, project and environment),
 * checked against that schema. Octopus's options are matched as its events carry them: projects
 * and environments by name or id.
 */
export interface SourceTrigger {
  connection?: string;
  categories?: string[];
  project?: string;
  environment?: string;
}

/** What a connection type lets `on:` say about its events: options on `<type>.*` events, as a schema. */
export interface TriggerDeclaration {
  /** The connection type; its events are `<type>.*`. */
  type: string;
  /** A TypeBox object schema: each property one option. */
  schema: TSchema;
}

/** The keys of `on` besides the options connection types declare. */
export const BASE_ON_KEYS = ['event', 'filter', 'if', 'connection'] as const;

/** What `octopus.deployment.*` listens for when `categories` is left out (the seed's default). */
export const DEFAULT_DEPLOYMENT_CATEGORIES = ['DeploymentSucceeded', 'DeploymentFailed'];

/** The source a connection's events carry. */
export function connectionSource(name: string): string {
  return `connection:${name}`;
}

const optionsOf = (d: TriggerDeclaration) => (d.schema as { properties?: Record<string, TSchema> }).properties ?? {};

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

/** The categories a trigger accepts: given, the deployment default, or all (undefined). */
export function triggerCategories(event: string, trigger: SourceTrigger): string[] | undefined {
  if (trigger.categories) return trigger.categories;
  return event === 'octopus.deployment.*' ? DEFAULT_DEPLOYMENT_CATEGORIES : undefined;
}

const sameName = (a: unknown, b: string) => typeof a === 'string' && a.toLowerCase() === b.toLowerCase();

/** A predicate over an event for the options given; undefined when there are none to test. */
export function compileSourceTrigger(
  event: string,
  trigger: SourceTrigger,
): ((e: { source: string; data: unknown }) => boolean) | undefined {
  const source = trigger.connection === undefined ? undefined : connectionSource(trigger.connection);
  const categories = triggerCategories(event, trigger);
  const { project, environment } = trigger;
  if (source === undefined && categories === undefined && project === undefined && environment === undefined) return undefined;
  return (e) => {
    if (source !== undefined && e.source !== source) return false;
    const data = (e.data ?? {}) as Record<string, unknown>;
    if (categories !== undefined && !categories.includes(String(data.category))) return false;
    if (project !== undefined && data.projectId !== project && !sameName(data.projectName, project)) return false;
    if (environment !== undefined && data.environmentId !== environment && !sameName(data.environmentName, environment)) return false;
    return true;
  };
}
