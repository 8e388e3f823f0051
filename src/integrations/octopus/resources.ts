import { ShiplineError } from '../../core/errors.js';
import type { OctopusConnections } from './connection.js';

/** What the resource pickers list (for the UI's forms and the CLI). */
export const RESOURCE_KINDS = ['projects', 'environments', 'releases', 'channels', 'machines'] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

export interface Resource {
  id: string;
  name: string;
}

const contains = (name: string, search: string | undefined) => !search || name.toLowerCase().includes(search.toLowerCase());

/** `{id, name}` items; releases and channels need `project` (name or id); releases newest first. */
export async function listResources(
  connections: OctopusConnections,
  nameOrId: string,
  kind: ResourceKind,
  query: { project?: string; search?: string },
): Promise<Resource[]> {
  const { resolver } = await connections.get(nameOrId);
  switch (kind) {
    case 'projects':
      return (await resolver.projects()).filter((p) => contains(p.Name, query.search)).map((p) => ({ id: p.Id, name: p.Name }));
    case 'machines':
      return (await resolver.machines()).filter((m) => contains(m.Name, query.search)).map((m) => ({ id: m.Id, name: m.Name }));
    case 'environments':
      return (await resolver.environments()).filter((e) => contains(e.Name, query.search)).map((e) => ({ id: e.Id, name: e.Name }));
    case 'releases':
    case 'channels': {
      if (!query.project) throw new ShiplineError('request.invalid', `Listing ${kind} needs ?project= (a project name or id)`);
      const project = await resolver.project(query.project);
      if (kind === 'channels')
        return (await resolver.channels(project.Id)).filter((c) => contains(c.Name, query.search)).map((c) => ({ id: c.Id, name: c.Name }));
      return (await resolver.releases(project.Id, query.search)).map((r) => ({ id: r.Id, name: r.Version }));
    }
  }
}
