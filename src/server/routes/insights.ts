import { Type } from 'typebox';
import type { Classified } from '../../core/insights/change-failures.js';
import { parseDatetime } from '../../core/datetime.js';
import type { MetricName } from '../../core/insights/dora-bands.js';
import { DEFAULT_BANDS } from '../../core/insights/dora-bands.js';
import { doraReport, drilldown } from '../../core/insights/dora-report.js';
import type { BucketSize } from '../../core/insights/dora.js';
import { bucketsOf } from '../../core/insights/dora.js';
import { environmentKey } from '../../core/environments.js';
import { ShiplineError } from '../../core/errors.js';
import type { Store } from '../../store/index.js';
import type { InsightScope } from '../../store/insights.js';
import type { EnvironmentView } from '../../store/environments.js';
import { ErrorResponses } from '../schemas.js';
import {
  DoraQuery,
  DoraReportSchema,
  DrilldownQuery,
  DrilldownSchema,
  EnvironmentPatch,
  EnvironmentTierView,
  FailureMark,
  FailureMarkBody,
  TimelineQuery,
  TimelineSchema,
} from '../insights-schemas.js';
import type { App } from './types.js';
import { timeline } from '../../core/timeline.js';

const tags = ['insights'];
const DAY_MS = 86_400_000;
const DEFAULT_WINDOW_DAYS = 90;
const MAX_WINDOW_DAYS = 5 * 366;
const MAX_BUCKETS = 2000;
export const DEFAULT_INCIDENT_WINDOW_MINUTES = 60;

export function timeParam(name: string, raw: string | undefined, fallback: string): string {
  if (raw === undefined) return fallback;
  const parsed = parseDatetime(raw);
  if (!parsed) throw new ShiplineError('request.invalid', `querystring/${name} must be a datetime (ISO 8601 or YYYY-MM-DD HH:MM:SS)`);
  return parsed;
}

/** from/to of a query: to defaults to now, from to `days` before it; from must be before to. */
export function windowOf(q: { from?: string | undefined; to?: string | undefined }, days: number): { from: string; to: string } {
  const to = timeParam('to', q.to, new Date().toISOString());
  const from = timeParam('from', q.from, new Date(Date.parse(to) - days * DAY_MS).toISOString());
  if (from >= to) throw new ShiplineError('request.invalid', 'querystring/from must be before querystring/to');
  if (Date.parse(to) - Date.parse(from) > MAX_WINDOW_DAYS * DAY_MS)
    throw new ShiplineError('request.invalid', `The window may be at most ${MAX_WINDOW_DAYS} days long`);
  return { from, to };
}

interface ScopeParams {
  service?: string | undefined;
  team?: string | undefined;
  environment?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  incidentWindowMinutes?: number | undefined;
}

interface ResolvedScope {
  scope: InsightScope;
  service: { id: string; name: string } | null;
  team: string | null;
  environments: EnvironmentView[];
  incidentWindowMinutes: number;
}

async function resolveScope(store: Store, q: ScopeParams): Promise<ResolvedScope> {
  const { from, to } = windowOf(q, DEFAULT_WINDOW_DAYS);
  const all = await store.environments.list();
  const environments =
    q.environment !== undefined ? [await store.environments.find(q.environment)] : all.filter((e) => e.tier === 'production');
  const service = q.service !== undefined ? await store.services.get(q.service) : null;
  let serviceIds = service ? [service.id] : undefined;
  if (q.team !== undefined) {
    const owned = new Set(await store.insights.serviceIdsOfTeam(q.team));
    serviceIds = serviceIds ? serviceIds.filter((id) => owned.has(id)) : [...owned];
  }
  const incidentWindowMinutes = q.incidentWindowMinutes ?? DEFAULT_INCIDENT_WINDOW_MINUTES;
  return {
    scope: {
      serviceIds,
      from,
      to,
      incidentWindowMs: incidentWindowMinutes * 60_000,
      environments: environments.map((e) => ({ key: e.key, spellings: e.spellings })),
      productionKeys: new Set(all.filter((e) => e.tier === 'production').map((e) => e.key)),
    },
    service: service ? { id: service.id, name: service.name } : null,
    team: q.team ?? null,
    environments,
    incidentWindowMinutes,
  };
}

/** The classified deploys of the scope's services and environments (the facts also hold context rows). */
function inScope(classified: Map<string, Classified>, scope: InsightScope): Classified[] {
  const keys = new Set(scope.environments.map((e) => e.key));
  const ids = scope.serviceIds ? new Set(scope.serviceIds) : undefined;
  return [...classified.values()].filter((c) => keys.has(c.deploy.envKey) && (!ids || ids.has(c.deploy.serviceId)));
}

export function insightsRoutes(store: Store) {
  return async (app: App) => {
    app.get(
      '/insights/dora',
      {
        config: { minRole: 'read' },
        schema: {
          summary: 'DORA metrics for a window and per bucket, each with its numerator, denominator, band and drill-down link',
          tags,
          querystring: DoraQuery,
          response: { 200: DoraReportSchema, ...ErrorResponses },
        },
      },
      async (request) => {
        const q = request.query;
        const bucket: BucketSize = q.bucket ?? 'week';
        const r = await resolveScope(store, q);
        if (bucketsOf(r.scope.from, r.scope.to, bucket).length > MAX_BUCKETS)
          throw new ShiplineError('request.invalid', `At most ${MAX_BUCKETS} buckets: choose a larger bucket or a shorter window`);
        const facts = await store.insights.facts(r.scope);
        const link = (metric: MetricName, start: string, end: string) => {
          const params = new URLSearchParams({ metric, from: start, to: end });
          if (r.service) params.set('service', r.service.id);
          if (r.team) params.set('team', r.team);
          if (q.environment !== undefined) params.set('environment', q.environment);
          params.set('incidentWindowMinutes', String(r.incidentWindowMinutes));
          return `/api/v1/insights/dora/drilldown?${params.toString()}`;
        };
        return doraReport(
          {
            from: r.scope.from,
            to: r.scope.to,
            bucket,
            environments: r.environments.map((e) => e.name),
            service: r.service,
            team: r.team,
            incidentWindowMinutes: r.incidentWindowMinutes,
            bandsVersion: DEFAULT_BANDS.version,
          },
          inScope(facts.classified, r.scope),
          DEFAULT_BANDS,
          link,
        );
      },
    );

    app.get(
      '/insights/dora/drilldown',
      {
        config: { minRole: 'read' },
        schema: {
          summary:
            'The deploys (and incidents) one DORA figure is computed from; counted rows add up to its numerator, all rows to its denominator (frequency: days)',
          tags,
          querystring: DrilldownQuery,
          response: { 200: DrilldownSchema, ...ErrorResponses },
        },
      },
      async (request) => {
        const r = await resolveScope(store, request.query);
        const facts = await store.insights.facts(r.scope);
        return drilldown(
          request.query.metric,
          r.scope.from,
          r.scope.to,
          inScope(facts.classified, r.scope),
          facts.incidents,
          DEFAULT_BANDS,
        );
      },
    );

    app.post(
      '/deploys/:id/failure',
      {
        config: { minRole: 'write' },
        schema: {
          summary: 'Mark a deploy as failed (counts in the change failure rate, rule `marked`); marking again replaces the reason',
          tags,
          params: Type.Object({ id: Type.String() }),
          body: FailureMarkBody,
          response: { 200: FailureMark, ...ErrorResponses },
        },
      },
      async (request) => store.insights.markFailed(request.params.id, request.body.reason.trim(), request.apiToken?.name ?? null),
    );

    app.delete(
      '/deploys/:id/failure',
      {
        config: { minRole: 'write' },
        schema: {
          summary: "Remove a deploy's failure mark",
          tags,
          params: Type.Object({ id: Type.String() }),
          response: { 204: Type.Null(), ...ErrorResponses },
        },
      },
      async (request, reply) => {
        await store.insights.unmarkFailed(request.params.id);
        return reply.status(204).send(null);
      },
    );

    app.patch(
      '/environments/:name',
      {
        config: { minRole: 'write' },
        schema: {
          summary:
            "Set an environment's tier; any spelling of the name (case-insensitive) names it. DORA counts production-tier environments by default",
          tags,
          params: Type.Object({ name: Type.String({ minLength: 1 }) }),
          body: EnvironmentPatch,
          response: { 200: EnvironmentTierView, ...ErrorResponses },
        },
      },
      async (request) => store.environments.setTier(request.params.name, request.body.tier),
    );

    app.get(
      '/services/:idOrAlias/timeline',
      {
        config: { minRole: 'read' },
        schema: {
          summary:
            'What happened to a service, in order: deploys (with the commit range since the previous one), failures, incidents and runs of reactions',
          tags,
          params: Type.Object({ idOrAlias: Type.String() }),
          querystring: TimelineQuery,
          response: { 200: TimelineSchema, ...ErrorResponses },
        },
      },
      async (request) => {
        const q = request.query;
        const service = await store.services.get(request.params.idOrAlias);
        const { from, to } = windowOf(q, 30);
        const all = await store.environments.list();
        const environments = q.environment !== undefined ? [await store.environments.find(q.environment)] : all;
        const scope: InsightScope = {
          serviceIds: [service.id],
          from,
          to,
          incidentWindowMs: DEFAULT_INCIDENT_WINDOW_MINUTES * 60_000,
          environments: environments.map((e) => ({ key: e.key, spellings: e.spellings })),
          productionKeys: new Set(all.filter((e) => e.tier === 'production').map((e) => e.key)),
        };
        const facts = await store.insights.facts(scope);
        const runs = await store.insights.runsBetween(from, to);
        const envKey = q.environment !== undefined ? environmentKey(q.environment) : null;
        return {
          service: { id: service.id, name: service.name },
          from,
          to,
          items: timeline(service, envKey, from, to, facts, runs, q.limit ?? 200),
        };
      },
    );
  };
}
