import type { Problems } from './validate-shared.js';
import { describe } from './validate-shared.js';

/**
 * Trigger options for events that come through a connection (Octopus Deploy): which connection
 * (`on.connection`, matched on the event's source `connection:<name>`), and, for `octopus.*`
 * events, the Octopus event categories, project and environment — projects and environments by
 * name or id, since the events carry both.
 */
export interface SourceTrigger {
  connection?: string;
  categories?: string[];
  project?: string;
  environment?: string;
}

export const SOURCE_TRIGGER_KEYS = ['connection', 'categories', 'project', 'environment'] as const;

/** What `octopus.deployment.*` listens for when `categories` is left out (the seed's default). */
export const DEFAULT_DEPLOYMENT_CATEGORIES = ['DeploymentSucceeded', 'DeploymentFailed'];

const OCTOPUS_ONLY = ['categories', 'project', 'environment'] as const;
const CATEGORY = /^[A-Za-z][A-Za-z0-9]*$/;

/** The source a connection's events carry. */
export function connectionSource(name: string): string {
  return `connection:${name}`;
}

/** Reads the options from `on`, listing problems; returns only those given. */
export function readSourceTrigger(raw: Record<string, unknown>, event: string, problems: Problems): SourceTrigger {
  const out: SourceTrigger = {};
  if (raw.connection !== undefined && raw.connection !== null) {
    if (typeof raw.connection === 'string' && raw.connection !== '') out.connection = raw.connection;
    else problems.push(`on.connection: must be a connection name, not ${describe(raw.connection)}`);
  }
  const octopus = event.startsWith('octopus.') || event === 'octopus*';
  for (const key of OCTOPUS_ONLY) {
    if (raw[key] === undefined || raw[key] === null) continue;
    if (!octopus) {
      problems.push(`on.${key}: only applies to octopus.* events`);
      continue;
    }
    if (key === 'categories') {
      const value = raw.categories;
      const list = typeof value === 'string' ? [value] : value;
      if (!Array.isArray(list) || list.length === 0 || !list.every((c) => typeof c === 'string' && CATEGORY.test(c))) {
        problems.push(
          `on.categories: must be Octopus event categories such as [DeploymentSucceeded, DeploymentFailed], not ${describe(value)}`,
        );
      } else out.categories = list as string[];
    } else if (typeof raw[key] === 'string' && raw[key] !== '') out[key] = raw[key];
    else problems.push(`on.${key}: must be a name or an id (text), not ${describe(raw[key])}`);
  }
  return out;
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
