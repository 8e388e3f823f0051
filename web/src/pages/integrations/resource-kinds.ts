import type { ConnectionType } from './types';

/**
 * The resource kind a field picks from, when the connection type lists one named after it
 * (`project` → `projects`); null when the type declares no such kind.
 */
export function resourceKindFor(type: ConnectionType | undefined, field: string): string | null {
  const kind = `${field}s`;
  return type?.resources?.includes(kind) ? kind : null;
}

/** The kinds a reaction's trigger can name for this type (its `trigger` fields that have a picker), in declared order. */
export function triggerResourceKinds(type: ConnectionType | undefined): string[] {
  return Object.keys(type?.trigger?.properties ?? {})
    .map((field) => resourceKindFor(type, field))
    .filter((kind): kind is string => kind !== null);
}
