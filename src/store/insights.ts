import type { Classified, DeployFact, IncidentFact } from '../core/insights/change-failures.js';
import { classify } from '../core/insights/change-failures.js';
import { DEPLOY_FAILED, deployFailedData, deploySubject } from '../core/deploy-failure.js';
import { environmentKey } from '../core/environments.js';
import { ShiplineError } from '../core/errors.js';
import { INCIDENT_EVENT_TYPES, INCIDENT_RESOLVED_TYPES, incidentsFrom } from '../core/insights/incidents.js';
import type { CommitInfo, DeployStatus } from '../core/vocabulary.js';
import type { Db, SqlRunner } from './database.js';
import { eventData } from './deploy-events.js';
import type { EnvironmentsRepo } from './environments.js';
import type { EventsRepo, NewEvent } from './events.js';
import { deployIn } from './deploys.js';
import { placeholders } from './sql.js';

/**
 * The reads behind deploy insights: the deploys of a scope with the context the failure rules
 * need around a window, the incidents, and marks. Everything is read and classified per request;
 * the indexes of migration 0005 keep that within the targets of bench/insights.ts.
 */

const DAY_MS = 86_400_000;
/** A redeploy of a version deployed this long before counts as a rollback. */
export const ROLLBACK_LOOKBACK_MS = 90 * DAY_MS;
/** Incident events are stored with their own times; this much slack finds openings reported late. */
const INCIDENT_SLACK_MS = 2 * DAY_MS;
/** Ids per statement when filtering by many services. */
const CHUNK = 400;

export interface InsightScope {
  /** Service ids; undefined means every service. */
  serviceIds?: string[] | undefined;
  /** Environment keys (environmentKey) and their spellings in deploys. */
  environments: Array<{ key: string; spellings: string[] }>;
  from: string;
  to: string;
  incidentWindowMs: number;
  /** Keys of production-tier environments (where incidents without an environment apply). */
  productionKeys: Set<string>;
}

export interface ScopeFacts {
  classified: Map<string, Classified>;
  incidents: IncidentFact[];
}

type FactRow = {
  id: string;
  service_id: string;
  environment: string;
  deployed_at: string;
  status: string;
  reported_status: string | null;
  deploy_number: string;
  commit_json: string | null;
};
/** A deploy's failure mark: who set it (the token's name, if any), when, and why. */
export type Mark = { reason: string; markedBy: string | null; markedAt: string };

/** Service names and failure marks are joined in memory: both are small, and the range read stays on one index. */
interface Lookups {
  names: Map<string, string>;
  marks: Map<string, Mark>;
}

/** The condition of the partial index events_by_type (migrations 0015 and 0018), repeated so that queries may use it. */
const NOT_RECORDED = "type <> 'deploy.recorded'";
// The scan is the hot path of every DORA request: only the deploys table, no joins.
const FACT_COLUMNS = 'd.id, d.service_id, d.environment, d.deployed_at, d.status, d.reported_status, d.deploy_number, d.commit_json';

function toFact(row: FactRow, lookups: Lookups): DeployFact {
  const commit = row.commit_json ? (JSON.parse(row.commit_json) as Partial<CommitInfo>) : null;
  return {
    id: row.id,
    serviceId: row.service_id,
    serviceName: lookups.names.get(row.service_id) ?? row.service_id,
    environment: row.environment,
    envKey: environmentKey(row.environment),
    deployedAt: row.deployed_at,
    status: row.status as DeployStatus,
    ...(row.reported_status !== null ? { reportedStatus: row.reported_status as DeployStatus } : {}),
    deployNumber: row.deploy_number,
    sha: commit?.sha ?? null,
    commitAt: commit?.authoringDate ?? commit?.date ?? null,
    marked: lookups.marks.get(row.id) ?? null,
  };
}

const chunks = <T>(list: readonly T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
};

export function insightsRepo(db: Db, deps: { environments: EnvironmentsRepo; events: EventsRepo }) {
  /** Every alias (lower case) and id of every service → its id: how incidents name services. */
  async function serviceResolver(run: SqlRunner): Promise<(ref: string) => string | undefined> {
    const rows = await run.query<{ alias: string; service_id: string }>('SELECT alias, service_id FROM service_aliases');
    const map = new Map<string, string>();
    for (const r of rows) {
      map.set(r.alias.toLowerCase(), r.service_id);
      map.set(r.service_id, r.service_id);
    }
    return (ref) => map.get(ref) ?? map.get(ref.toLowerCase());
  }

  async function lookups(run: SqlRunner): Promise<Lookups> {
    const names = new Map((await run.query<{ id: string; name: string }>('SELECT id, name FROM services')).map((r) => [r.id, r.name]));
    const marks = new Map(
      (
        await run.query<{ deploy_id: string; reason: string; marked_by: string | null; marked_at: string }>(
          'SELECT deploy_id, reason, marked_by, marked_at FROM deploy_failure_marks',
        )
      ).map((r) => [r.deploy_id, { reason: r.reason, markedBy: r.marked_by, markedAt: r.marked_at }]),
    );
    return { names, marks };
  }

  async function deploysBetween(run: SqlRunner, scope: InsightScope, start: string, end: string, lk: Lookups): Promise<DeployFact[]> {
    const spellings = scope.environments.flatMap((e) => e.spellings);
    if (spellings.length === 0) return [];
    const base = `SELECT ${FACT_COLUMNS} FROM deploys d WHERE d.environment IN (${placeholders(spellings.length)}) AND d.deployed_at >= ? AND d.deployed_at < ? AND d.service_id IS NOT NULL`;
    if (scope.serviceIds === undefined) return (await run.query<FactRow>(base, [...spellings, start, end])).map((r) => toFact(r, lk));
    const out: DeployFact[] = [];
    for (const ids of chunks(scope.serviceIds, CHUNK)) {
      const rows = await run.query<FactRow>(`${base} AND d.service_id IN (${placeholders(ids.length)})`, [
        ...spellings,
        start,
        end,
        ...ids,
      ]);
      out.push(...rows.map((r) => toFact(r, lk)));
    }
    return out;
  }

  /** The first successful deploy at or after `after` of each (service, environment): what restores, or rolls back, late. */
  async function firstSucceededAfter(
    run: SqlRunner,
    pairs: Array<{ serviceId: string; spellings: string[] }>,
    after: string,
    lk: Lookups,
  ): Promise<DeployFact[]> {
    const out: DeployFact[] = [];
    for (const group of chunks(pairs, 50)) {
      const parts: string[] = [];
      const params: unknown[] = [];
      for (const p of group) {
        parts.push(`SELECT * FROM (SELECT ${FACT_COLUMNS} FROM deploys d WHERE d.service_id = ? AND d.environment IN (${placeholders(p.spellings.length)})
          AND d.status = 'succeeded' AND d.deployed_at >= ? ORDER BY d.deployed_at, d.id LIMIT 1) x`);
        params.push(p.serviceId, ...p.spellings, after);
      }
      out.push(...(await run.query<FactRow>(parts.join(' UNION ALL '), params)).map((r) => toFact(r, lk)));
    }
    return out;
  }

  async function incidentsAround(run: SqlRunner, from: string, until: string): Promise<IncidentFact[]> {
    const opened = INCIDENT_EVENT_TYPES.filter((t) => !(INCIDENT_RESOLVED_TYPES as readonly string[]).includes(t));
    const lo = new Date(Date.parse(from) - INCIDENT_SLACK_MS).toISOString();
    const hi = new Date(Date.parse(until) + INCIDENT_SLACK_MS).toISOString();
    type Row = { id: string; type: string; source: string; occurred_at: string; data: string };
    // Two statements, each one range of events_by_type (the events table holds every deploy's event
    // too). The index leaves deploy.recorded out (migrations 0015 and 0018); SQLite uses a partial
    // index only for a query that repeats its condition, hence NOT_RECORDED.
    const rows = [
      ...(await run.query<Row>(
        `SELECT id, type, source, occurred_at, data FROM events WHERE type IN (${placeholders(opened.length)}) AND ${NOT_RECORDED} AND occurred_at >= ? AND occurred_at < ?`,
        [...opened, lo, hi],
      )),
      ...(await run.query<Row>(
        `SELECT id, type, source, occurred_at, data FROM events WHERE type IN (${placeholders(INCIDENT_RESOLVED_TYPES.length)}) AND ${NOT_RECORDED} AND occurred_at >= ?`,
        [...INCIDENT_RESOLVED_TYPES, lo],
      )),
    ];
    const resolve = await serviceResolver(run);
    const events = rows.map((r) => ({
      id: r.id,
      type: r.type,
      source: r.source,
      timestamp: r.occurred_at,
      data: JSON.parse(r.data) as unknown,
    }));
    return incidentsFrom(events, resolve, environmentKey).filter((i) => i.startedAt >= from && i.startedAt < until);
  }

  return {
    /**
     * The deploys of the scope, classified: read from the rollback look-back before the window to
     * the incident window after it, plus each pair's next successful deploy beyond that.
     */
    async facts(scope: InsightScope): Promise<ScopeFacts> {
      const readStart = new Date(Date.parse(scope.from) - ROLLBACK_LOOKBACK_MS).toISOString();
      const readEnd = new Date(Date.parse(scope.to) + scope.incidentWindowMs).toISOString();
      return db.transaction(async (run) => {
        const lk = await lookups(run);
        const deploys = await deploysBetween(run, scope, readStart, readEnd, lk);
        const pairs = new Map<string, { serviceId: string; spellings: string[] }>();
        const spellingsOf = new Map(scope.environments.map((e) => [e.key, e.spellings]));
        for (const d of deploys)
          if (d.deployedAt >= scope.from)
            pairs.set(`${d.serviceId}\u0000${d.envKey}`, {
              serviceId: d.serviceId,
              spellings: spellingsOf.get(d.envKey) ?? [d.environment],
            });
        // Usually the window ends now and nothing was deployed later: then there is nothing to seek.
        const [latest] = await run.query<{ at: string | null }>('SELECT MAX(deployed_at) AS at FROM deploys');
        if (latest?.at != null && latest.at >= readEnd) deploys.push(...(await firstSucceededAfter(run, [...pairs.values()], readEnd, lk)));
        const incidents = await incidentsAround(run, scope.from, readEnd);
        const wanted = scope.serviceIds ? new Set(scope.serviceIds) : undefined;
        const relevant = incidents.filter((i) => !wanted || wanted.has(i.serviceId));
        const classified = classify(deploys, relevant, {
          incidentWindowMs: scope.incidentWindowMs,
          rollbackLookbackMs: ROLLBACK_LOOKBACK_MS,
          productionKeys: scope.productionKeys,
        });
        return { classified, incidents: relevant };
      });
    },

    /**
     * Marks a deploy as failed (or changes the reason); returns the mark. The deploy then reads
     * `failed` everywhere (its reported status is kept until the mark is cleared), and, if it did
     * not read failed before, `deploy.failed` is stored with `deploy.marked_failed`.
     */
    async markFailed(
      deployId: string,
      reason: string,
      markedBy: string | null,
    ): Promise<{ deployId: string; reason: string; markedBy: string | null; markedAt: string }> {
      const markedAt = new Date().toISOString();
      await db.transaction(async (run) => {
        const [deploy] = await run.query<{ id: string; service_id: string | null; service_alias: string; environment: string | null }>(
          'SELECT id, service_id, service_alias, environment FROM deploys WHERE id = ?',
          [deployId],
        );
        if (!deploy) throw new ShiplineError('deploy.not_found');
        await run.query(
          `INSERT INTO deploy_failure_marks (deploy_id, reason, marked_by, marked_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (deploy_id) DO UPDATE SET reason = excluded.reason, marked_by = excluded.marked_by, marked_at = excluded.marked_at`,
          [deployId, reason, markedBy, markedAt],
        );
        // Only the mark that flips the deploy (a concurrent one finds reported_status set) says it became failed.
        const flipped = await run.query<{ reported_status: string }>(
          "UPDATE deploys SET reported_status = status, status = 'failed' WHERE id = ? AND reported_status IS NULL RETURNING reported_status",
          [deployId],
        );
        const source = markedBy ? `token:${markedBy}` : 'api';
        const events: NewEvent[] = [
          {
            type: 'deploy.marked_failed',
            source,
            data: {
              deployId,
              serviceId: deploy.service_id,
              serviceAlias: deploy.service_alias,
              environment: deploy.environment,
              reason,
              markedBy,
            },
            subject: deploySubject(deployId),
          },
        ];
        if (flipped.length === 1 && flipped[0]!.reported_status !== 'failed') {
          const marked = (await deployIn(run, deployId))!;
          events.push({
            type: DEPLOY_FAILED,
            source,
            data: deployFailedData(marked, { source: 'mark', reason, markedBy }),
            subject: deploySubject(deployId),
          });
        }
        await deps.events.appendIn(run, events, markedAt);
      });
      return { deployId, reason, markedBy, markedAt };
    },

    /** A deploy's failure mark, or null when it has none (also for an unknown deploy). */
    async markOf(deployId: string): Promise<Mark | null> {
      const [row] = await db.transaction((run) =>
        run.query<{ reason: string; marked_by: string | null; marked_at: string }>(
          'SELECT reason, marked_by, marked_at FROM deploy_failure_marks WHERE deploy_id = ?',
          [deployId],
        ),
      );
      return row ? { reason: row.reason, markedBy: row.marked_by, markedAt: row.marked_at } : null;
    },

    /** Removes a mark, putting back the status its source reported; deploy.not_found when the deploy has none. */
    async unmarkFailed(deployId: string): Promise<void> {
      await db.transaction(async (run) => {
        const [mark] = await run.query<{ deploy_id: string }>('SELECT deploy_id FROM deploy_failure_marks WHERE deploy_id = ?', [deployId]);
        if (!mark) throw new ShiplineError('deploy.not_found', 'That deploy is not marked as failed');
        await run.query('DELETE FROM deploy_failure_marks WHERE deploy_id = ?', [deployId]);
        await run.query(
          'UPDATE deploys SET status = reported_status, reported_status = NULL WHERE id = ? AND reported_status IS NOT NULL',
          [deployId],
        );
      });
    },

    /** The status a deploy's source reported, when a failure mark overrides it (else null). */
    async reportedStatusOf(deployId: string): Promise<DeployStatus | null> {
      const [row] = await db.transaction((run) =>
        run.query<{ reported_status: string | null }>('SELECT reported_status FROM deploys WHERE id = ?', [deployId]),
      );
      return (row?.reported_status ?? null) as DeployStatus | null;
    },

    /** Runs of reactions started by events from [from, to), with their event's type and data (for the timeline). */
    async runsBetween(
      from: string,
      to: string,
    ): Promise<
      Array<{
        id: string;
        reaction: string;
        status: string;
        createdAt: string;
        finishedAt: string | null;
        eventType: string;
        eventData: unknown;
      }>
    > {
      const { rows, data } = await db.transaction(async (run) => {
        const read = await run.query<{
          id: string;
          reaction: string;
          status: string;
          created_at: string;
          finished_at: string | null;
          type: string;
          data: string;
        }>(
          'SELECT r.id, r.reaction, r.status, r.created_at, r.finished_at, e.type, e.data FROM runs r JOIN events e ON e.id = r.event_id WHERE r.created_at >= ? AND r.created_at < ? ORDER BY r.created_at, r.id',
          [from, to],
        );
        return {
          rows: read,
          data: await eventData(
            run,
            read.map((r) => r.data),
          ),
        };
      });
      return rows.map((r, i) => ({
        id: r.id,
        reaction: r.reaction,
        status: r.status,
        createdAt: r.created_at,
        finishedAt: r.finished_at,
        eventType: r.type,
        eventData: data[i],
      }));
    },

    /** Ids of the services a team owns (`owner`, compared case-insensitively). */
    async serviceIdsOfTeam(team: string): Promise<string[]> {
      const rows = await db.transaction((run) =>
        run.query<{ id: string }>('SELECT id FROM services WHERE lower(owner) = ?', [team.trim().toLowerCase()]),
      );
      return rows.map((r) => r.id);
    },
  };
}

export type InsightsRepo = ReturnType<typeof insightsRepo>;
