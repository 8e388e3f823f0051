import { DEFAULT_SEED } from './seed.js';
import type { OctopusSimSeed, OctopusSimSeedSpace } from './seed.js';
import type { IdKind, SimProject, SimSpace, SimState } from './types.js';

/** The key every stand-in accepts unless told otherwise. */
export const DEFAULT_API_KEY = 'API-SIMULATOR0000000000000000000';

/** The next `Kind-N` id: counters are global across spaces, as on a real server. */
export function nextId(state: SimState, kind: IdKind): string {
  state.counters[kind] += 1;
  return `${kind}-${state.counters[kind]}`;
}

/** Octopus slugs: lower case, runs of anything but letters and digits become one dash. */
export function slugify(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** The number in `Releases-12`, for "newest first" ordering by creation. */
export function idNumber(id: string): number {
  return Number(id.slice(id.lastIndexOf('-') + 1)) || 0;
}

/** Builds the state a seed describes; `apiKey` is accepted besides the seed's own keys. */
export function buildState(seed: OctopusSimSeed = DEFAULT_SEED, apiKey: string = DEFAULT_API_KEY): SimState {
  const state: SimState = {
    installationId: seed.installationId ?? DEFAULT_SEED.installationId ?? '8c6a1f4e-3b0e-4b55-9d3a-6f1c2b7e9a10',
    version: seed.version ?? '2024.3.12345',
    apiKeys: new Set([apiKey, ...(seed.apiKeys ?? [])]),
    user: {
      id: 'Users-1',
      username: seed.user?.username ?? 'sim-admin',
      displayName: seed.user?.displayName ?? 'Simulator Admin',
      email: seed.user?.email ?? 'admin@example.com',
    },
    spaces: [],
    environments: [],
    projects: [],
    channels: [],
    tenants: [],
    machines: [],
    releases: [],
    deployments: [],
    tasks: [],
    events: [],
    subscriptions: [],
    counters: {
      Spaces: 0,
      Environments: 0,
      Projects: 0,
      ProjectGroups: 0,
      Lifecycles: 0,
      Channels: 0,
      Tenants: 0,
      Machines: 0,
      Releases: 0,
      Deployments: 0,
      ServerTasks: 0,
      Events: 0,
      Subscriptions: 0,
    },
  };
  const spaces = seed.spaces && seed.spaces.length > 0 ? seed.spaces : [{ name: 'Default' }];
  const explicitDefault = spaces.findIndex((s) => s.isDefault === true);
  spaces.forEach((space, index) => addSpace(state, space, index === (explicitDefault >= 0 ? explicitDefault : 0)));
  return state;
}

function addSpace(state: SimState, seed: OctopusSimSeedSpace, isDefault: boolean): void {
  const space: SimSpace = {
    id: nextId(state, 'Spaces'),
    name: seed.name,
    slug: slugify(seed.name),
    description: seed.description ?? '',
    isDefault,
  };
  state.spaces.push(space);
  const projectGroupId = nextId(state, 'ProjectGroups');
  const lifecycleId = nextId(state, 'Lifecycles');
  (seed.environments ?? []).forEach((entry, sortOrder) => {
    const env = typeof entry === 'string' ? { name: entry } : entry;
    state.environments.push({
      id: nextId(state, 'Environments'),
      spaceId: space.id,
      name: env.name,
      slug: slugify(env.name),
      description: env.description ?? '',
      sortOrder,
    });
  });
  for (const entry of seed.projects ?? []) {
    const spec = typeof entry === 'string' ? { name: entry } : entry;
    const project: SimProject = {
      id: nextId(state, 'Projects'),
      spaceId: space.id,
      name: spec.name,
      slug: spec.slug ?? slugify(spec.name),
      description: spec.description ?? '',
      projectGroupId,
      lifecycleId,
    };
    state.projects.push(project);
    addChannel(state, project, 'Default', true);
    for (const channel of spec.channels ?? []) addChannel(state, project, channel, false);
    const defaultChannel = state.channels.find((c) => c.projectId === project.id && c.isDefault);
    const versions = spec.releases ?? [];
    // Seeded releases are spaced a minute apart, oldest first, ending now.
    const now = Date.now();
    versions.forEach((version, i) => {
      state.releases.push({
        id: nextId(state, 'Releases'),
        spaceId: space.id,
        projectId: project.id,
        channelId: defaultChannel?.id ?? '',
        version,
        releaseNotes: null,
        selectedPackages: [],
        assembled: now - (versions.length - 1 - i) * 60_000,
      });
    });
  }
  for (const entry of seed.tenants ?? []) addTenant(state, space, entry);
  for (const entry of seed.machines ?? []) addSeedMachine(state, space, entry);
}

type SeedMachine = NonNullable<OctopusSimSeedSpace['machines']>[number];

function addSeedMachine(state: SimState, space: SimSpace, spec: SeedMachine): void {
  const environmentIds = spec.environments.map((envName) => {
    const env = state.environments.find((e) => e.spaceId === space.id && e.name === envName);
    if (!env) throw new Error(`seed: machine ${spec.name} names unknown environment ${envName} in space ${space.name}`);
    return env.id;
  });
  state.machines.push({
    id: nextId(state, 'Machines'),
    spaceId: space.id,
    name: spec.name,
    environmentIds,
    roles: spec.roles ?? [],
    healthStatus: spec.healthStatus ?? 'Healthy',
    isDisabled: false,
  });
}

function addChannel(state: SimState, project: SimProject, name: string, isDefault: boolean): void {
  state.channels.push({
    id: nextId(state, 'Channels'),
    spaceId: project.spaceId,
    projectId: project.id,
    name,
    slug: slugify(name),
    isDefault,
    lifecycleId: null,
  });
}

type SeedTenant = NonNullable<OctopusSimSeedSpace['tenants']>[number];

function addTenant(state: SimState, space: SimSpace, entry: SeedTenant): void {
  const spec = typeof entry === 'string' ? { name: entry, projects: undefined } : entry;
  const projectEnvironments: Record<string, string[]> = {};
  for (const [projectName, envNames] of Object.entries(spec.projects ?? {})) {
    const project = state.projects.find((p) => p.spaceId === space.id && p.name === projectName);
    if (!project) throw new Error(`seed: tenant ${spec.name} names unknown project ${projectName} in space ${space.name}`);
    projectEnvironments[project.id] = envNames.map((envName) => {
      const env = state.environments.find((e) => e.spaceId === space.id && e.name === envName);
      if (!env) throw new Error(`seed: tenant ${spec.name} names unknown environment ${envName} in space ${space.name}`);
      return env.id;
    });
  }
  state.tenants.push({ id: nextId(state, 'Tenants'), spaceId: space.id, name: spec.name, slug: slugify(spec.name), projectEnvironments });
}
