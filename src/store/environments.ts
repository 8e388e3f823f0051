import type { EnvironmentTier, SeenEnvironment, Tier } from '../core/environments.js';
import { assignTiers, environmentKey } from '../core/environments.js';
import { ShiplineError } from '../core/errors.js';
import type { Db } from './database.js';

// The distinct environment names, one index seek each (a loose index scan written portably:
// neither dialect does it for SELECT DISTINCT, and the deploys table is the largest there is).
const distinctEnvironments = (columns: string) => `WITH RECURSIVE e(name) AS (
    SELECT MIN(environment) FROM deploys
    UNION ALL
    SELECT (SELECT MIN(environment) FROM deploys WHERE environment > e.name) FROM e WHERE e.name IS NOT NULL
  ) SELECT ${columns} FROM e WHERE name IS NOT NULL`;
const DISTINCT_NAMES = distinctEnvironments('name');
// Each with its first deploy: one more seek on `deploys_by_environment`, in the same statement
// (one round trip however many environments there are).
const DISTINCT_ENVIRONMENTS = distinctEnvironments('name, (SELECT MIN(deployed_at) FROM deploys WHERE environment = e.name) AS first');
// On SQLite the names are kept in a table of their own, with when each was first deployed to
// (migration 0016): no index on deploys holds an entry per deploy for them.
const KEPT_ENVIRONMENTS = 'SELECT name, first_deployed_at AS first FROM deploy_environments ORDER BY name';

export interface EnvironmentView extends SeenEnvironment, EnvironmentTier {}

/** Environments as deploys name them (case-insensitively), with their tiers. */
export function environmentsRepo(db: Db) {
  const read = <R>(sql: string, params: unknown[] = []) => db.transaction((run) => run.query<R>(sql, params));

  async function seen(): Promise<SeenEnvironment[]> {
    return db.transaction(async (run) => {
      const firsts = await run.query<{ name: string; first: string }>(
        db.keepsDeployEnvironments ? KEPT_ENVIRONMENTS : DISTINCT_ENVIRONMENTS,
      );
      const byKey = new Map<string, SeenEnvironment>();
      for (const { name, first } of firsts) {
        const key = environmentKey(name);
        if (key === '') continue;
        const env = byKey.get(key);
        if (!env) byKey.set(key, { key, name, spellings: [name], firstSeenAt: first });
        else {
          env.spellings.push(name);
          if (first < env.firstSeenAt) Object.assign(env, { name, firstSeenAt: first });
        }
      }
      return [...byKey.values()].sort((a, b) => a.key.localeCompare(b.key));
    });
  }

  async function list(): Promise<EnvironmentView[]> {
    const envs = await seen();
    const set = new Map(
      (await read<{ key: string; tier: string }>('SELECT key, tier FROM environment_tiers')).map((r) => [r.key, r.tier as Tier]),
    );
    const tiers = assignTiers(envs, set);
    return envs.map((e) => ({ ...e, ...tiers.get(e.key)! }));
  }

  return {
    list,

    /** Every spelling deploys use for the environment `name` stands for (trimmed, any case); [] if none. */
    async spellings(name: string): Promise<string[]> {
      const key = environmentKey(name);
      return (await read<{ name: string }>(db.keepsDeployEnvironments ? KEPT_ENVIRONMENTS : DISTINCT_NAMES))
        .map((r) => r.name)
        .filter((n) => environmentKey(n) === key);
    },

    /** The environment `name` stands for (any spelling), or environment.not_found. */
    async find(name: string): Promise<EnvironmentView> {
      const env = (await list()).find((e) => e.key === environmentKey(name));
      if (!env) throw new ShiplineError('environment.not_found', `No deploy has been recorded to an environment named '${name}'`);
      return env;
    },

    async setTier(name: string, tier: Tier): Promise<EnvironmentView> {
      const env = await this.find(name);
      const now = new Date().toISOString();
      await db.transaction((run) =>
        run.query(
          'INSERT INTO environment_tiers (key, tier, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET tier = excluded.tier, updated_at = excluded.updated_at',
          [env.key, tier, now],
        ),
      );
      return this.find(name);
    },
  };
}

export type EnvironmentsRepo = ReturnType<typeof environmentsRepo>;
