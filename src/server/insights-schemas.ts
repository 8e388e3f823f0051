import { Type } from 'typebox';
import type { TSchema } from '@fastify/type-provider-typebox';

// The HTTP contract of deploy insights: DORA figures, their drill-downs, failure marks,
// environment tiers and the service timeline.

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Timestamp = Type.String({ format: 'date-time' });
const Literals = <const T extends readonly string[]>(values: T, description?: string) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...(description ? { description } : {}) });

export const MetricNameSchema = Literals(['deploymentFrequency', 'leadTime', 'changeFailureRate', 'timeToRestore']);
export const TierSchema = Literals(['production', 'staging', 'development', 'other']);
const BandSchema = Nullable(
  Literals(['elite', 'high', 'medium', 'low'], 'The DORA performance band (see bandsVersion); null without a value'),
);

const ScopeQuery = {
  service: Type.Optional(Type.String({ minLength: 1, description: 'A service id, name or alias; default every service' })),
  team: Type.Optional(Type.String({ minLength: 1, description: 'Only services whose owner is this team (case-insensitive)' })),
  environment: Type.Optional(
    Type.String({ minLength: 1, description: 'Any spelling of an environment; default the production-tier environments' }),
  ),
  from: Type.Optional(Type.String({ description: 'Window start (inclusive), ISO 8601; default 90 days before `to`' })),
  to: Type.Optional(Type.String({ description: 'Window end (exclusive); default now' })),
  incidentWindowMinutes: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 10_080,
      default: 60,
      description: 'An incident opening this long after a deploy fails that deploy',
    }),
  ),
};

export const DoraQuery = Type.Object(
  {
    ...ScopeQuery,
    bucket: Type.Optional(Literals(['day', 'week', 'month'], 'Bucket size (UTC; weeks start on Monday); default week')),
  },
  { additionalProperties: false },
);

export const DrilldownQuery = Type.Object(
  {
    metric: MetricNameSchema,
    ...ScopeQuery,
  },
  { additionalProperties: false },
);

const Metric = Type.Object({
  value: Nullable(
    Type.Number({
      description: 'deploys per day; seconds (the median) for lead time and time to restore; a 0–1 ratio for the failure rate',
    }),
  ),
  unit: Literals(['deploys_per_day', 'seconds', 'ratio']),
  median: Type.Optional(Nullable(Type.Number())),
  p90: Type.Optional(Nullable(Type.Number())),
  numerator: Type.Integer(),
  denominator: Type.Number({ description: 'days for deployment frequency (may be fractional), otherwise a count' }),
  denominatorUnit: Literals(['days', 'deploys', 'failures']),
  band: BandSchema,
  excluded: Type.Optional(
    Type.Record(Type.String(), Type.Integer(), { description: 'Rows of the denominator that give no value, by reason' }),
  ),
  drilldown: Type.String({ description: 'The rows this figure is computed from' }),
});

const Figures = Type.Object({
  deploymentFrequency: Metric,
  leadTime: Metric,
  changeFailureRate: Metric,
  timeToRestore: Metric,
});

const ServiceRef = Type.Object({ id: Type.String(), name: Type.String() });

export const DoraReportSchema = Type.Object({
  from: Timestamp,
  to: Timestamp,
  bucket: Type.String(),
  environments: Type.Array(Type.String(), { description: 'The environments counted (their first-seen spellings)' }),
  service: Nullable(ServiceRef),
  team: Nullable(Type.String()),
  incidentWindowMinutes: Type.Integer(),
  bandsVersion: Type.String({ description: 'The DORA report whose band thresholds apply' }),
  summary: Figures,
  buckets: Type.Array(Type.Object({ key: Type.String(), start: Timestamp, end: Timestamp, metrics: Figures })),
});

const Failure = Type.Object({
  rule: Literals(['status', 'marked', 'incident', 'rollback'], 'Which failure rule matched'),
  detail: Type.String(),
  incidentId: Type.Optional(Type.String()),
  rolledBackBy: Type.Optional(Type.String({ description: 'The deploy that re-deployed an earlier version' })),
});

const Restore = Type.Object({ at: Timestamp, by: Literals(['deploy', 'incident']), id: Type.String() });

const Incident = Type.Object({
  id: Type.String(),
  serviceId: Type.String(),
  envKey: Nullable(Type.String()),
  title: Type.String(),
  source: Type.String(),
  startedAt: Timestamp,
  resolvedAt: Nullable(Timestamp),
  url: Nullable(Type.String()),
});

const DrilldownDeploy = Type.Object({
  id: Type.String(),
  service: ServiceRef,
  environment: Type.String(),
  deployedAt: Timestamp,
  status: Type.String(),
  deployNumber: Type.String(),
  commitSha: Nullable(Type.String()),
  commitAt: Nullable(Type.String()),
});

export const DrilldownSchema = Type.Object({
  metric: MetricNameSchema,
  from: Timestamp,
  to: Timestamp,
  numerator: Type.Integer(),
  denominator: Type.Number(),
  denominatorUnit: Type.String(),
  rows: Type.Array(
    Type.Object({
      deploy: DrilldownDeploy,
      counted: Type.Boolean({ description: 'Counts in the numerator' }),
      seconds: Nullable(Type.Number()),
      excludedBecause: Nullable(Type.String()),
      failures: Type.Array(Failure),
      restore: Nullable(Restore),
    }),
  ),
  incidents: Type.Array(Incident),
});

export const FailureMarkBody = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: 2000, pattern: '\\S' }) },
  { additionalProperties: false },
);
export const FailureMark = Type.Object({
  deployId: Type.String(),
  reason: Type.String(),
  markedBy: Nullable(Type.String()),
  markedAt: Timestamp,
});

export const EnvironmentPatch = Type.Object({ tier: TierSchema }, { additionalProperties: false });
export const EnvironmentTierView = Type.Object({
  key: Type.String({ description: 'The name trimmed and in lower case: spellings differing in case are one environment' }),
  name: Type.String({ description: 'The spelling of its first deploy' }),
  spellings: Type.Array(Type.String()),
  firstSeenAt: Timestamp,
  tier: TierSchema,
  tierSource: Literals(['set', 'inferred']),
});

export const TimelineQuery = Type.Object(
  {
    environment: Type.Optional(Type.String({ minLength: 1 })),
    from: Type.Optional(Type.String({ description: 'Default 30 days before `to`' })),
    to: Type.Optional(Type.String({ description: 'Default now' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 200, description: 'The newest this many items' })),
  },
  { additionalProperties: false },
);

export const TimelineSchema = Type.Object({
  service: ServiceRef,
  from: Timestamp,
  to: Timestamp,
  items: Type.Array(
    Type.Object({
      at: Timestamp,
      kind: Literals(['deploy', 'failure', 'incident.opened', 'incident.resolved', 'run']),
      environment: Nullable(Type.String()),
      summary: Type.String(),
      deploy: Type.Optional(DrilldownDeploy),
      commitRange: Type.Optional(
        Type.Object(
          { from: Type.String(), to: Type.String() },
          { description: 'The commits between the previous successful deploy here and this one' },
        ),
      ),
      failure: Type.Optional(Type.Intersect([Failure, Type.Object({ deployId: Type.String() })])),
      incident: Type.Optional(Incident),
      run: Type.Optional(
        Type.Object({
          id: Type.String(),
          reaction: Type.String(),
          status: Type.String(),
          eventType: Type.String(),
          finishedAt: Nullable(Timestamp),
        }),
      ),
    }),
  ),
});
