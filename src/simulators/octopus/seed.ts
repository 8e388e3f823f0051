import { readFileSync } from 'node:fs';
import { Type } from 'typebox';
import type { Static } from 'typebox';
import { Value } from 'typebox/value';
import { parse as parseYaml } from 'yaml';
import { errorMessage } from '../../core/error-message.js';
import { HEALTH_STATUSES } from './types.js';

/**
 * The seed: what the stand-in holds when it starts (and after `POST /_sim/reset`). Keys are
 * camelCase, every list optional; ids are not written in the seed but assigned in seed order.
 */

const SeedEnvironment = Type.Union([
  Type.String({ minLength: 1 }),
  Type.Object({ name: Type.String({ minLength: 1 }), description: Type.Optional(Type.String()) }, { additionalProperties: false }),
]);

const SeedProject = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    slug: Type.Optional(Type.String({ minLength: 1 })),
    description: Type.Optional(Type.String()),
    /** Versions, oldest first (quote them in YAML: `"1.10"` is not the number 1.1). */
    releases: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
    /** Channels besides the default one every project gets. */
    channels: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
  },
  { additionalProperties: false },
);

const SeedTenant = Type.Union([
  Type.String({ minLength: 1 }),
  Type.Object(
    {
      name: Type.String({ minLength: 1 }),
      /** Project name → environment names the tenant is connected to. */
      projects: Type.Optional(Type.Record(Type.String(), Type.Array(Type.String()))),
    },
    { additionalProperties: false },
  ),
]);

const SeedMachine = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    /** Environment names the target serves. */
    environments: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
    roles: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
    healthStatus: Type.Optional(Type.Union(HEALTH_STATUSES.map((h) => Type.Literal(h)))),
  },
  { additionalProperties: false },
);

const SeedSpace = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    description: Type.Optional(Type.String()),
    isDefault: Type.Optional(Type.Boolean()),
    environments: Type.Optional(Type.Array(SeedEnvironment)),
    projects: Type.Optional(Type.Array(Type.Union([Type.String({ minLength: 1 }), SeedProject]))),
    tenants: Type.Optional(Type.Array(SeedTenant)),
    /** Deployment targets (Tentacles), each in one or more of the space's environments. */
    machines: Type.Optional(Type.Array(SeedMachine)),
  },
  { additionalProperties: false },
);

const Seed = Type.Object(
  {
    installationId: Type.Optional(
      Type.String({ pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' }),
    ),
    /** Three-part, at least 2022.3.5512: the official client refuses older servers. */
    version: Type.Optional(Type.String({ pattern: '^\\d+\\.\\d+\\.\\d+$' })),
    apiKeys: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
    user: Type.Optional(
      Type.Object(
        { username: Type.Optional(Type.String()), displayName: Type.Optional(Type.String()), email: Type.Optional(Type.String()) },
        { additionalProperties: false },
      ),
    ),
    spaces: Type.Optional(Type.Array(SeedSpace)),
  },
  { additionalProperties: false },
);

export type OctopusSimSeed = Static<typeof Seed>;
export type OctopusSimSeedSpace = Static<typeof SeedSpace>;

/** The seed used when none is given: two spaces, three environments, three projects, three deployment targets. */
export const DEFAULT_SEED: OctopusSimSeed = {
  installationId: '8c6a1f4e-3b0e-4b55-9d3a-6f1c2b7e9a10',
  version: '2024.3.12345',
  apiKeys: ['API-SIMULATOR0000000000000000000'],
  user: { username: 'sim-admin', displayName: 'Simulator Admin', email: 'admin@example.com' },
  spaces: [
    {
      name: 'Default',
      environments: ['Development', 'Staging', 'Production'],
      projects: [
        { name: 'Web', releases: ['1.0.0', '1.0.1'] },
        { name: 'Payments API', releases: ['2.3.0'] },
      ],
      tenants: [],
      machines: [
        { name: 'web-dev-01', environments: ['Development'], roles: ['web-server'] },
        { name: 'web-prod-01', environments: ['Staging', 'Production'], roles: ['web-server'] },
        { name: 'db-prod-01', environments: ['Production'], roles: ['db-server'] },
      ],
    },
    { name: 'Second Space', environments: ['Production'], projects: [{ name: 'Inventory', releases: ['0.9.0'] }] },
  ],
};

/** Checks an already-parsed seed; `source` names it in the error (a file path, or "seed"). */
export function parseSeed(value: unknown, source = 'seed'): OctopusSimSeed {
  const seed = value ?? {};
  if (Value.Check(Seed, seed)) return checkVersion(seed, source);
  // TypeBox reports an unknown key as "schema is false" on the key itself: say it plainly.
  const errors = [...Value.Errors(Seed, seed)];
  const specific = errors.filter((e) => !e.message.includes('additional properties'));
  const problems = (specific.length > 0 ? specific : errors)
    .slice(0, 5)
    .map((e) => `${e.instancePath || '/'}: ${e.message === 'schema is false' ? 'is not a known key' : e.message}`);
  throw new Error(`${source} is not a valid Octopus simulator seed: ${problems.join('; ')}`);
}

/** Reads a seed file, YAML or JSON (JSON is YAML too). */
export function loadSeedFile(path: string): OctopusSimSeed {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read seed file ${path}: ${errorMessage(err)}`, { cause: err });
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (err) {
    throw new Error(`seed file ${path} is not valid YAML or JSON: ${errorMessage(err)}`, { cause: err });
  }
  return parseSeed(parsed, `seed file ${path}`);
}

function checkVersion(seed: OctopusSimSeed, source: string): OctopusSimSeed {
  const parts = (seed.version ?? '2024.3.12345').split('.').map(Number);
  const [major = 0, minor = 0, patch = 0] = parts;
  const old = major < 2022 || (major === 2022 && (minor < 3 || (minor === 3 && patch < 5512)));
  if (old) throw new Error(`${source}: version ${seed.version} is older than 2022.3.5512, which the official client requires`);
  return seed;
}
