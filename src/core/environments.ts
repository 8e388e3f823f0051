/**
 * Environments as deploys name them. Names are compared case-insensitively and trimmed
 * (`Production` = `production`); each has a tier, set by someone or inferred from its name.
 */

export type Tier = 'production' | 'staging' | 'development' | 'other';
export const TIERS: readonly Tier[] = ['production', 'staging', 'development', 'other'];

/** The key environments are grouped and looked up by. */
export function environmentKey(name: string): string {
  return name.trim().toLowerCase();
}

const PRODUCTION_LIKE = /(^|[^a-z])(prod|production|prd|live)([^a-z]|$)/i;
const STAGING_LIKE = /(^|[^a-z])(stag|stage|staging|preprod|pre-prod|uat|qa)([^a-z]|$)/i;
const DEVELOPMENT_LIKE = /(^|[^a-z])(dev|develop|development|local|sandbox|test|testing)([^a-z]|$)/i;

export function isProductionLike(name: string): boolean {
  return PRODUCTION_LIKE.test(name);
}

/** One environment as seen in deploys: its spellings and when it was first deployed to. */
export interface SeenEnvironment {
  key: string;
  /** The spelling of its first deploy; the others follow in `spellings`. */
  name: string;
  spellings: string[];
  firstSeenAt: string;
}

export interface EnvironmentTier {
  tier: Tier;
  /** `set`: by PATCH /api/v1/environments/:name; `inferred`: from its name. */
  tierSource: 'set' | 'inferred';
}

/**
 * Tiers for every environment. Set tiers win. Without a set production environment, the first
 * production-like name seen (earliest first deploy) is production; later production-like names
 * are `other` until someone says otherwise, so the default DORA environment is one environment.
 */
export function assignTiers(seen: readonly SeenEnvironment[], set: ReadonlyMap<string, Tier>): Map<string, EnvironmentTier> {
  const out = new Map<string, EnvironmentTier>();
  const productionSet = [...set.values()].includes('production');
  const firstProduction = productionSet
    ? undefined
    : [...seen]
        .filter((e) => !set.has(e.key) && isProductionLike(e.name))
        .sort((a, b) => a.firstSeenAt.localeCompare(b.firstSeenAt) || a.key.localeCompare(b.key))[0];
  for (const env of seen) {
    const chosen = set.get(env.key);
    if (chosen) out.set(env.key, { tier: chosen, tierSource: 'set' });
    else if (env.key === firstProduction?.key) out.set(env.key, { tier: 'production', tierSource: 'inferred' });
    else if (STAGING_LIKE.test(env.name)) out.set(env.key, { tier: 'staging', tierSource: 'inferred' });
    else if (DEVELOPMENT_LIKE.test(env.name)) out.set(env.key, { tier: 'development', tierSource: 'inferred' });
    else out.set(env.key, { tier: 'other', tierSource: 'inferred' });
  }
  return out;
}
