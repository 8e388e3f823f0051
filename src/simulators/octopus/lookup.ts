import { notFound } from './errors.js';
import type { SimChannel, SimEnvironment, SimProject, SimRelease, SimSpace, SimState, SimTenant } from './types.js';

/**
 * Finding documents the way Octopus does: ids match case-insensitively (`spaces-1` is
 * `Spaces-1`), and where the API accepts a name, slug or id, all three are tried.
 */

export function sameId(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

export function defaultSpace(state: SimState): SimSpace {
  const space = state.spaces.find((s) => s.isDefault) ?? state.spaces[0];
  if (!space) throw new Error('the simulator has no spaces');
  return space;
}

/** By id, then name (exact, then case-insensitive); undefined when none matches. */
export function findSpace(state: SimState, idOrName: string): SimSpace | undefined {
  return (
    state.spaces.find((s) => sameId(s.id, idOrName)) ??
    state.spaces.find((s) => s.name === idOrName) ??
    state.spaces.find((s) => sameId(s.name, idOrName) || s.slug === idOrName)
  );
}

function byIdNameOrSlug<T extends { id: string; name: string; slug: string; spaceId: string }>(
  items: T[],
  spaceId: string,
  key: string,
): T | undefined {
  const inSpace = items.filter((i) => i.spaceId === spaceId);
  return (
    inSpace.find((i) => sameId(i.id, key)) ??
    inSpace.find((i) => i.name === key) ??
    inSpace.find((i) => i.slug === key.toLowerCase()) ??
    inSpace.find((i) => sameId(i.name, key))
  );
}

export function findProject(state: SimState, spaceId: string, key: string): SimProject | undefined {
  return byIdNameOrSlug(state.projects, spaceId, key);
}

export function findEnvironment(state: SimState, spaceId: string, key: string): SimEnvironment | undefined {
  return byIdNameOrSlug(state.environments, spaceId, key);
}

export function findTenant(state: SimState, spaceId: string, key: string): SimTenant | undefined {
  return byIdNameOrSlug(state.tenants, spaceId, key);
}

export function findChannel(state: SimState, projectId: string, key: string): SimChannel | undefined {
  const mine = state.channels.filter((c) => c.projectId === projectId);
  return mine.find((c) => sameId(c.id, key)) ?? mine.find((c) => c.name === key) ?? mine.find((c) => sameId(c.name, key));
}

export function defaultChannel(state: SimState, projectId: string): SimChannel | undefined {
  return state.channels.find((c) => c.projectId === projectId && c.isDefault);
}

export function findReleaseByVersion(state: SimState, projectId: string, version: string): SimRelease | undefined {
  return state.releases.find((r) => r.projectId === projectId && r.version === version);
}

/** By id within one space; undefined when missing. */
export function findById<T extends { id: string; spaceId: string | null }>(items: T[], spaceId: string, id: string): T | undefined {
  return items.find((i) => sameId(i.id, id) && i.spaceId === spaceId);
}

/** Like findById, but a miss is the 404 Octopus answers. */
export function requireById<T extends { id: string; spaceId: string | null }>(items: T[], spaceId: string, id: string, kind: string): T {
  const item = findById(items, spaceId, id);
  if (!item) throw notFound(kind, id);
  return item;
}

export function requireProject(state: SimState, spaceId: string, key: string): SimProject {
  const project = findProject(state, spaceId, key);
  if (!project) throw notFound('project', key);
  return project;
}
