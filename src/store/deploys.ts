import { sql } from 'kysely';
import { ShiplineError } from '../core/errors.js';
import { environmentKey } from '../core/environments.js';
import type { CommitInfo, Deploy, DeployStatus } from '../core/vocabulary.js';
import type { Db, SqlRunner } from './database.js';
import type { Page, PageRequest } from './pagination.js';
import { decodeCursor, DEFAULT_LIMIT, toPage } from './pagination.js';
import type { DeploysTable } from './schema.js';

export interface DeployFilter extends PageRequest {
  /** A service id, name or alias; also matches deploys under an alias no service claims. */
  service?: string | undefined;
  /** Compared as environments are everywhere: trimmed, any case (`production` finds `Production`). */
  environment?: string | undefined;
  status?: DeployStatus | undefined;
  /** custom, octopus, github, ... */
  source?: string | undefined;
  /** The name of the deploy endpoint it came through. */
  endpoint?: string | undefined;
  /** ISO timestamps bounding deployedAt (inclusive). */
  since?: string | undefined;
  until?: string | undefined;
}

export interface EnvironmentSummary {
  name: string;
  deployCount: number;
  lastDeployedAt: string;
  /** The latest deploy of each service (or unclaimed alias) in this environment. */
  services: Deploy[];
}

type DeployRow = DeploysTable & { service_name: string | null };

function toDeploy(row: DeployRow): Deploy {
  return {
    id: row.id,
    endpoint: row.endpoint,
    service: row.service_id && row.service_name ? { id: row.service_id, name: row.service_name } : null,
    serviceAlias: row.service_alias,
    environment: row.environment,
    description: row.description,
    deployedAt: row.deployed_at,
    deployUrl: row.deploy_url,
    deployNumber: row.deploy_number,
    dedupId: row.dedup_id,
    deployer: { id: row.deployer_id, email: row.deployer_email, name: row.deployer_name },
    commit: row.commit_json ? (JSON.parse(row.commit_json) as CommitInfo) : null,
    receivedAt: row.received_at,
    status: row.status as Deploy['status'],
    source: row.source,
  };
}

/** The deploys of these ids that are stored, through one PostgreSQL statement (`$n` placeholders). */
export async function deploysByIdPg(
  statement: <R>(sql: string, params: readonly unknown[]) => Promise<R[]>,
  ids: readonly string[],
): Promise<Map<string, Deploy>> {
  const rows = await statement<DeployRow>(
    'SELECT d.*, s.name AS service_name FROM deploys d LEFT JOIN services s ON s.id = d.service_id WHERE d.id = ANY($1::text[])',
    [ids],
  );
  return new Map(rows.map((row) => [row.id, toDeploy(row)]));
}

/** One deploy read in the caller's transaction (raw SQL: both dialects). */
export async function deployIn(run: SqlRunner, id: string): Promise<Deploy | undefined> {
  const [row] = await run.query<DeployRow>(
    'SELECT d.*, s.name AS service_name FROM deploys d LEFT JOIN services s ON s.id = d.service_id WHERE d.id = ?',
    [id],
  );
  return row ? toDeploy(row) : undefined;
}

export function deploysRepo(
  db: Db,
  resolveService: (idOrAlias: string) => Promise<string | undefined>,
  environmentSpellings: (name: string) => Promise<string[]>,
) {
  const k = db.kysely;
  const base = () =>
    k
      .selectFrom('deploys')
      .leftJoin('services', 'services.id', 'deploys.service_id')
      .selectAll('deploys')
      .select('services.name as service_name');

  /** Whether a deploy was recorded under an alias no service claims (the partial index deploys_unclaimed_by_alias). */
  async function unclaimedAliasSeen(alias: string): Promise<boolean> {
    const row = await k
      .selectFrom('deploys')
      .select('deploys.id')
      .where('deploys.service_id', 'is', null)
      .where('deploys.service_alias', '=', alias)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  return {
    async list(filter: DeployFilter = {}): Promise<Page<Deploy>> {
      const limit = filter.limit ?? DEFAULT_LIMIT;
      let query = base()
        .orderBy('deploys.deployed_at', 'desc')
        .orderBy('deploys.id', 'desc')
        .limit(limit + 1);
      if (filter.service !== undefined) {
        const serviceId = await resolveService(filter.service);
        const alias = filter.service;
        // A typo must not read as "no deploys yet": an alias is known once a deploy used it.
        if (!serviceId && !(await unclaimedAliasSeen(alias))) {
          throw new ShiplineError('service.not_found', `No service matches '${alias}', and no deploy was recorded under that alias`);
        }
        query = query.where((eb) =>
          serviceId
            ? eb('deploys.service_id', '=', serviceId)
            : eb.and([eb('deploys.service_id', 'is', null), eb('deploys.service_alias', '=', alias)]),
        );
      }
      if (filter.environment !== undefined) {
        // The spellings in use, then an IN over them: the environment index serves it, where
        // lower(environment) would need an expression index every ingested deploy pays for.
        const spellings = await environmentSpellings(filter.environment);
        if (spellings.length === 0) return { items: [], nextCursor: null };
        query = query.where('deploys.environment', 'in', spellings);
        // Where no index leads with the environment (SQLite, migration 0016), the list walks
        // deploys_by_time newest first: bounded below by the environment's first deploy, a
        // short-lived environment's list stops there rather than at the table's first row.
        if (db.keepsDeployEnvironments)
          query = query.where(
            sql<boolean>`deploys.deployed_at >= (SELECT MIN(first_deployed_at) FROM deploy_environments WHERE name IN (${sql.join(spellings)}))`,
          );
      }
      if (filter.status !== undefined) {
        query = query.where('deploys.status', '=', filter.status);
        // The partial index deploys_not_succeeded holds every other status; its own predicate,
        // written out, lets both planners use it (SQLite only proves a partial index by the same term).
        if (filter.status !== 'succeeded') query = query.where(sql<boolean>`deploys.status <> 'succeeded'`);
      }
      if (filter.source !== undefined) query = query.where('deploys.source', '=', filter.source);
      if (filter.endpoint !== undefined) query = query.where('deploys.endpoint', '=', filter.endpoint);
      if (filter.since !== undefined) query = query.where('deploys.deployed_at', '>=', filter.since);
      if (filter.until !== undefined) query = query.where('deploys.deployed_at', '<=', filter.until);
      if (filter.cursor) {
        const [at, id] = decodeCursor(filter.cursor, 2) as [string, string];
        // Implied by the next condition, but stated: SQLite then seeks to the cursor in the index
        // and walks on, where the OR alone made it read from the newest deploy (or, with another
        // bound on deployed_at, read both ranges of the OR and sort them).
        query = query.where('deploys.deployed_at', '<=', at);
        query = query.where((eb) =>
          eb.or([eb('deploys.deployed_at', '<', at), eb.and([eb('deploys.deployed_at', '=', at), eb('deploys.id', '<', id)])]),
        );
      }
      const rows = await query.execute();
      return toPage(rows, limit, toDeploy, (r) => [r.deployed_at, r.id]);
    },

    async get(id: string): Promise<Deploy> {
      const row = await base().where('deploys.id', '=', id).executeTakeFirst();
      if (!row) throw new ShiplineError('deploy.not_found');
      return toDeploy(row);
    },

    async environments(): Promise<EnvironmentSummary[]> {
      const totals = await k
        .selectFrom('deploys')
        .select(['environment', (eb) => eb.fn.countAll<number | string>().as('count'), (eb) => eb.fn.max('deployed_at').as('last')])
        .where('environment', 'is not', null)
        .groupBy('environment')
        .orderBy('environment')
        .execute();
      // The newest deploy per (environment, service or alias), by window function on both dialects.
      const latest = await k
        .selectFrom(
          base()
            .select(
              sql<number>`row_number() over (partition by lower(trim(deploys.environment)), coalesce(deploys.service_id, deploys.service_alias) order by deploys.deployed_at desc, deploys.id desc)`.as(
                'rank',
              ),
            )
            .where('deploys.environment', 'is not', null)
            .as('ranked'),
        )
        .selectAll()
        .where('rank', '=', 1)
        .execute();
      // Spellings of one environment (Production, production) are one environment.
      const merged = new Map<string, EnvironmentSummary>();
      for (const t of totals) {
        const key = environmentKey(t.environment!);
        const env = merged.get(key);
        if (!env) merged.set(key, { name: t.environment!, deployCount: Number(t.count), lastDeployedAt: t.last, services: [] });
        else {
          env.deployCount += Number(t.count);
          if (t.last > env.lastDeployedAt) env.lastDeployedAt = t.last;
        }
      }
      for (const row of latest) merged.get(environmentKey(row.environment!))?.services.push(toDeploy(row));
      for (const env of merged.values())
        env.services.sort((a, b) => (a.service?.name ?? a.serviceAlias).localeCompare(b.service?.name ?? b.serviceAlias));
      return [...merged.values()];
    },
  };
}

export type DeploysRepo = ReturnType<typeof deploysRepo>;
