import type { OctopusClient, OctopusCollection, OctopusMachine, OctopusNamed, OctopusRelease, OctopusSpace } from './client.js';
import { isNotFound, NonRetriableOctopusError, spacePath } from './client.js';

/** How long names and ids are trusted (they rarely change; a rename shows within this). */
export const RESOLVE_TTL_MS = 60_000;

const ID = /^[A-Za-z]+-\d+$/;

/** The space a connection uses: empty → the default space (else the first); else by id or name. */
export async function resolveSpace(client: OctopusClient, wanted: string | undefined): Promise<OctopusSpace> {
  const spaces = await client.spaces();
  if (!wanted) {
    const space = spaces.find((s) => s.IsDefault) ?? spaces[0];
    if (!space) throw new NonRetriableOctopusError(404, 'The Octopus server has no spaces');
    return space;
  }
  const space = spaces.find((s) => s.Id === wanted) ?? spaces.find((s) => s.Name.toLowerCase() === wanted.toLowerCase());
  if (!space)
    throw new NonRetriableOctopusError(
      404,
      `No space named or with id "${wanted}" (spaces: ${spaces.map((s) => s.Name).join(', ') || 'none'})`,
    );
  return space;
}

/**
 * Names and ids of one space's projects, environments, channels and releases, cached for
 * RESOLVE_TTL_MS: a reaction may say "Web" or "Projects-1" and both mean the same project.
 */
export class SpaceResolver {
  private readonly cache = new Map<string, { at: number; value: Promise<unknown> }>();

  constructor(
    readonly client: OctopusClient,
    readonly spaceId: string,
  ) {}

  private cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.cache.get(key);
    if (hit && Date.now() - hit.at < RESOLVE_TTL_MS) return hit.value as Promise<T>;
    const value = load();
    this.cache.set(key, { at: Date.now(), value });
    value.catch(() => this.cache.delete(key));
    return value;
  }

  private path(path: string): string {
    return spacePath(this.spaceId, path);
  }

  projects(): Promise<OctopusNamed[]> {
    return this.cached('projects', () => this.client.get<OctopusNamed[]>(this.path('/projects/all')));
  }

  /** The event categories the server knows (`GET /api/events/categories`: Id is the category). */
  categories(): Promise<OctopusNamed[]> {
    return this.cached('categories', () => this.client.get<OctopusNamed[]>('/api/events/categories'));
  }

  environments(): Promise<OctopusNamed[]> {
    return this.cached('environments', () => this.client.get<OctopusNamed[]>(this.path('/environments/all')));
  }

  tenants(): Promise<OctopusNamed[]> {
    return this.cached('tenants', () => this.client.get<OctopusNamed[]>(this.path('/tenants/all')));
  }

  channels(projectId: string): Promise<OctopusNamed[]> {
    return this.cached(
      `channels:${projectId}`,
      async () =>
        (await this.client.get<OctopusCollection<OctopusNamed>>(this.path(`/projects/${encodeURIComponent(projectId)}/channels?take=1000`)))
          .Items,
    );
  }

  project(idOrName: string): Promise<OctopusNamed> {
    return this.pick('project', idOrName, () => this.projects());
  }

  environment(idOrName: string): Promise<OctopusNamed> {
    return this.pick('environment', idOrName, () => this.environments());
  }

  tenant(idOrName: string): Promise<OctopusNamed> {
    return this.pick('tenant', idOrName, () => this.tenants());
  }

  async channel(projectId: string, idOrName: string): Promise<OctopusNamed> {
    return this.pick('channel', idOrName, () => this.channels(projectId));
  }

  /** A release of the project: `latest`, a release id, or a version. */
  async release(projectId: string, which: string): Promise<OctopusRelease> {
    const base = `/projects/${encodeURIComponent(projectId)}/releases`;
    if (which === 'latest') {
      const page = await this.client.get<OctopusCollection<OctopusRelease>>(this.path(`${base}?skip=0&take=1`));
      const latest = page.Items[0];
      if (!latest) throw new NonRetriableOctopusError(404, `Project ${projectId} has no releases`);
      return latest;
    }
    try {
      if (ID.test(which) && which.toLowerCase().startsWith('releases-'))
        return await this.client.get<OctopusRelease>(this.path(`/releases/${encodeURIComponent(which)}`));
      return await this.client.get<OctopusRelease>(this.path(`${base}/${encodeURIComponent(which)}`));
    } catch (err) {
      if (isNotFound(err)) throw new NonRetriableOctopusError(404, `Project ${projectId} has no release "${which}"`);
      throw err;
    }
  }

  /** Releases of a project, newest first, optionally those whose version contains `search`. */
  async releases(projectId: string, search?: string, take = 30): Promise<OctopusRelease[]> {
    const query = `skip=0&take=${take}${search ? `&searchByVersion=${encodeURIComponent(search)}` : ''}`;
    return (
      await this.client.get<OctopusCollection<OctopusRelease>>(this.path(`/projects/${encodeURIComponent(projectId)}/releases?${query}`))
    ).Items;
  }

  /** The space's deployment targets (`GET /api/{space}/machines/all`): Name, EnvironmentIds, Roles. */
  machines(): Promise<OctopusMachine[]> {
    return this.cached('machines', () => this.client.get<OctopusMachine[]>(this.path('/machines/all')));
  }

  /**
   * One deployment target, read now (a new machine is not in a cached list yet); null when
   * Octopus has no such machine (deleted).
   */
  async machine(machineId: string): Promise<OctopusMachine | null> {
    try {
      return await this.client.get<OctopusMachine>(this.path(`/machines/${encodeURIComponent(machineId)}`));
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  /** Deployment targets by id or name (any case), in the order given; an unknown one is a NonRetriable error naming it. */
  async machineIds(wanted: readonly string[], field: string): Promise<string[]> {
    if (wanted.length === 0) return [];
    const find = (machines: OctopusMachine[], value: string) =>
      machines.find((m) => m.Id.toLowerCase() === value.toLowerCase()) ??
      machines.find((m) => m.Name.toLowerCase() === value.toLowerCase());
    let machines = await this.machines();
    if (wanted.some((value) => !find(machines, value))) {
      // A machine registered a moment ago (the event that started this run) is not in the cached list yet.
      this.cache.delete('machines');
      machines = await this.machines();
    }
    return wanted.map((value) => {
      const found = find(machines, value);
      if (!found)
        throw new NonRetriableOctopusError(404, `${field}: no deployment target named or with id "${value}" in space ${this.spaceId}`);
      return found.Id;
    });
  }

  /** The release's version by id, or null when there is no such release; both cached. */
  releaseVersion(releaseId: string): Promise<string | null> {
    return this.cached(`release:${releaseId}`, async () => {
      try {
        return (await this.client.get<OctopusRelease>(this.path(`/releases/${encodeURIComponent(releaseId)}`))).Version;
      } catch (err) {
        if (isNotFound(err)) return null;
        throw err;
      }
    });
  }

  private async pick(kind: string, idOrName: string, all: () => Promise<OctopusNamed[]>): Promise<OctopusNamed> {
    const items = await all();
    const wanted = idOrName.toLowerCase();
    const found =
      items.find((i) => i.Id === idOrName) ?? items.find((i) => i.Name.toLowerCase() === wanted) ?? items.find((i) => i.Slug === idOrName);
    if (!found) throw new NonRetriableOctopusError(404, `No ${kind} named or with id "${idOrName}" in space ${this.spaceId}`);
    return found;
  }
}
