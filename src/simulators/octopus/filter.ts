import type { SimEvent, SimFilter, SimState, SimSubscription } from './types.js';

/**
 * Whether a subscription wants an event. Per Octopus's docs: an empty list means "any"; values
 * within one list are OR-ed, the lists are AND-ed. Projects, Environments and Tenants match the
 * event's related documents; EventGroups, EventAgents and Tags are not modelled and ignored.
 */

function anyOf(wanted: string[], has: (value: string) => boolean): boolean {
  return wanted.length === 0 || wanted.some(has);
}

function relatedTo(event: SimEvent, ids: string[]): boolean {
  const related = new Set(event.relatedDocumentIds.map((id) => id.toLowerCase()));
  return anyOf(ids, (id) => related.has(id.toLowerCase()));
}

function documentKinds(event: SimEvent): Set<string> {
  return new Set(event.relatedDocumentIds.map((id) => id.slice(0, id.indexOf('-')).toLowerCase()));
}

function inProjectGroups(state: SimState, event: SimEvent, groups: string[]): boolean {
  if (groups.length === 0) return true;
  const related = new Set(event.relatedDocumentIds);
  const projectGroups = state.projects.filter((p) => related.has(p.id)).map((p) => p.projectGroupId.toLowerCase());
  return groups.some((g) => related.has(g) || projectGroups.includes(g.toLowerCase()));
}

export function filterMatches(state: SimState, filter: SimFilter, event: SimEvent): boolean {
  const kinds = documentKinds(event);
  return (
    anyOf(filter.EventCategories, (c) => c.toLowerCase() === event.category.toLowerCase()) &&
    relatedTo(event, filter.Projects) &&
    relatedTo(event, filter.Environments) &&
    relatedTo(event, filter.Tenants) &&
    inProjectGroups(state, event, filter.ProjectGroups) &&
    anyOf(filter.Users, (u) => u.toLowerCase() === event.actor.userId.toLowerCase()) &&
    anyOf(filter.DocumentTypes, (t) => kinds.has(t.toLowerCase()))
  );
}

/** An enabled webhook subscription of the event's space whose filter matches. */
export function wants(state: SimState, subscription: SimSubscription, event: SimEvent): boolean {
  return (
    !subscription.isDisabled &&
    subscription.webhookUri !== null &&
    subscription.spaceId === event.spaceId &&
    filterMatches(state, subscription.filter, event)
  );
}
