import { Type } from 'typebox';
import type { ConnectionWithSecrets } from '../../core/connection.js';
import type { SourceTrigger, TriggerMatch } from '../../core/reactions/source-trigger.js';
import { effectiveTriggerOptions } from '../../core/reactions/source-trigger.js';
import type { OctopusConnections } from './connection.js';
import type { OctopusNamed } from './client.js';
import { globMatches } from '../../core/reactions/matching.js';
import type { ReactionSpec } from '../../core/reactions/document.js';
import { eventTypesOfCategory, OTHER_EVENT_TYPE } from './payload.js';

const CATEGORY = '^[A-Za-z][A-Za-z0-9]*$';

/** What `octopus.deployment.*` listens for when `categories` is left out (the seed's default). */
export const DEFAULT_DEPLOYMENT_CATEGORIES = ['DeploymentSucceeded', 'DeploymentFailed'];

/**
 * What a reaction's `on:` may say about Octopus events, besides `connection`, and how each option
 * matches an event's data (`match`): categories by the event's category, projects and
 * environments by id or by name (any case), as Octopus's events carry them.
 */
export const OctopusTrigger = Type.Object(
  {
    categories: Type.Optional(
      Type.Union([Type.String({ pattern: CATEGORY }), Type.Array(Type.String({ pattern: CATEGORY }), { minItems: 1 })], {
        description:
          'Octopus event categories such as [DeploymentSucceeded, DeploymentFailed]; default for octopus.deployment.*: DeploymentSucceeded and DeploymentFailed',
        match: { oneOf: 'category', defaults: { 'octopus.deployment.*': DEFAULT_DEPLOYMENT_CATEGORIES } } satisfies TriggerMatch,
      }),
    ),
    project: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'A project, by name or id',
        match: { idField: 'projectId', nameField: 'projectName' } satisfies TriggerMatch,
      }),
    ),
    environment: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'An environment, by name or id',
        match: { idField: 'environmentId', nameField: 'environmentName' } satisfies TriggerMatch,
      }),
    ),
  },
  { additionalProperties: false },
);

/** The categories a trigger listens for: those it names, the declared default, or all (undefined). */
export function triggerCategories(on: { event: string } & SourceTrigger): string[] | undefined {
  const given = effectiveTriggerOptions(on, [{ type: 'octopus', schema: OctopusTrigger }]).find((o) => o.key === 'categories')?.value;
  return given === undefined ? undefined : (given as string[]);
}

/** How long a validation waits for Octopus's answer before it warns of nothing. */
const LOOKUP_BUDGET_MS = 2_000;

const known = (items: OctopusNamed[], value: string) =>
  items.some((i) => i.Id === value || i.Name.toLowerCase() === value.toLowerCase() || i.Slug?.toLowerCase() === value.toLowerCase());

/**
 * Warnings for a trigger that can never match: a category, project or environment this
 * connection's server does not have. From the connection's cached lists; when Octopus is slow or
 * down, nothing is said rather than waiting or guessing.
 */
export async function octopusTriggerWarnings(
  connections: OctopusConnections,
  connection: ConnectionWithSecrets,
  on: Record<string, unknown>,
): Promise<string[]> {
  const categories = typeof on.categories === 'string' ? [on.categories] : Array.isArray(on.categories) ? (on.categories as string[]) : [];
  const project = typeof on.project === 'string' ? on.project : undefined;
  const environment = typeof on.environment === 'string' ? on.environment : undefined;
  const mismatched = typeof on.event === 'string' ? categoryMismatches(on.event, categories) : [];
  if (categories.length === 0 && !project && !environment) return mismatched;
  return [...mismatched, ...(await lookupWarnings(connections, connection, categories, project, environment))];
}

/**
 * A category whose events become a type the reaction does not listen to (ReleaseCreated is
 * `octopus.release.created`, not `octopus.event`): named, it can never start the reaction.
 */
function categoryMismatches(event: string, categories: string[]): string[] {
  return categories.flatMap((c) => {
    const types = eventTypesOfCategory(c);
    // Only categories with a type of their own: an unknown one gets the lookup's warning instead.
    if (types[0] === OTHER_EVENT_TYPE || types.some((type) => globMatches(event, type))) return [];
    return [`on.categories: ${c} events are ${types.join(' or ')}, which "${event}" does not match, so ${c} never runs this reaction`];
  });
}

/**
 * Enabled reactions that name a category under a type its events no longer have (a reaction on
 * `octopus.event` naming ReleaseCreated, written before lifecycle events had types of their own):
 * said once at start, so whoever runs Shipline learns why such a reaction went quiet.
 */
export function staleCategoryWarnings(specs: readonly ReactionSpec[]): Array<{ reaction: string; warning: string }> {
  return specs.flatMap((spec) => {
    const named = spec.on.categories;
    const categories =
      typeof named === 'string' ? [named] : Array.isArray(named) ? named.filter((c): c is string => typeof c === 'string') : [];
    return categoryMismatches(spec.on.event, categories).map((warning) => ({ reaction: spec.name, warning }));
  });
}

async function lookupWarnings(
  connections: OctopusConnections,
  connection: ConnectionWithSecrets,
  categories: string[],
  project: string | undefined,
  environment: string | undefined,
): Promise<string[]> {
  const lookup = async (): Promise<string[]> => {
    const { resolver } = await connections.get(connection.id);
    const warnings: string[] = [];
    const [known_categories, projects, environments] = await Promise.all([
      categories.length > 0 ? resolver.categories().catch(() => null) : null,
      project ? resolver.projects() : null,
      environment ? resolver.environments() : null,
    ]);
    if (known_categories)
      for (const c of categories)
        if (!known(known_categories, c)) warnings.push(`on.categories: Octopus has no event category "${c}", so this reaction never runs`);
    if (projects && project && !known(projects, project))
      warnings.push(`on.project: the connection "${connection.name}" has no Octopus project "${project}", so this reaction never runs`);
    if (environments && environment && !known(environments, environment))
      warnings.push(
        `on.environment: the connection "${connection.name}" has no Octopus environment "${environment}", so this reaction never runs`,
      );
    return warnings;
  };
  const answer = lookup();
  answer.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([answer, new Promise<string[]>((resolve) => (timer = setTimeout(() => resolve([]), LOOKUP_BUDGET_MS)))]);
  } catch {
    return [];
  } finally {
    clearTimeout(timer);
  }
}
