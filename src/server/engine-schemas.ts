import { Type } from 'typebox';
import type { TSchema } from '@fastify/type-provider-typebox';

// The HTTP contract of reactions, runs and events (see schemas.ts for the catalog's).

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Timestamp = Type.String({ format: 'date-time' });

export const Event = Type.Object({
  id: Type.String(),
  type: Type.String(),
  source: Type.String(),
  timestamp: Type.String({ description: 'When it happened (for deploy.recorded: deployed_at)' }),
  receivedAt: Timestamp,
  seq: Type.Integer({ description: 'Position in the store; the live stream resumes after it' }),
  data: Type.Unknown(),
});

export const EventQuery = Type.Object({
  type: Type.Optional(Type.String({ minLength: 1, description: 'Exact type or glob (`*` any characters, `?` one)' })),
  since: Type.Optional(Type.String({ format: 'date-time', description: 'Stored at or after this time' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  cursor: Type.Optional(Type.String({ minLength: 1 })),
});

export const Reaction = Type.Object({
  name: Type.String(),
  version: Type.Integer({ description: 'Bumped by every change; runs record the version they used' }),
  enabled: Type.Boolean(),
  description: Nullable(Type.String()),
  trigger: Type.String({ description: 'The event type or glob it reacts to' }),
  document: Type.Unknown({ description: 'The document as applied' }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  lastRun: Nullable(
    Type.Object(
      { id: Type.String(), status: Type.String(), createdAt: Timestamp },
      { description: 'Its newest run (of any version), or null' },
    ),
  ),
});

const FireTime = Type.String({ format: 'date-time', description: 'An instant, ISO UTC' });

export const ScheduleTick = Type.Object({
  scheduledAt: FireTime,
  firedAt: Timestamp,
  eventId: Type.String({ description: 'Its schedule.fired event' }),
  runId: Nullable(Type.String({ description: 'The run it started, or null when none did' })),
});

export const ReactionSchedule = Type.Object(
  {
    cron: Type.String({ description: '5 fields, or 6 with seconds first' }),
    timezone: Type.String({ description: 'IANA time zone' }),
    catchUp: Type.Union([Type.Literal('latest'), Type.Literal('none'), Type.Literal('all')]),
    description: Type.String({ description: 'The schedule in words, e.g. "at 09:00 on Monday–Friday, Europe/Berlin"' }),
    nextFireAt: Nullable({ ...FireTime, description: 'The next tick; null when disabled or when none is to come' }),
    next: Type.Array(FireTime, { description: 'The next five ticks (empty when disabled)' }),
    lastTicks: Type.Array(ScheduleTick, { description: 'The last ticks fired, newest first (at most 10)' }),
  },
  { description: 'When time starts the reaction; null for a reaction started by events' },
);

export const ReactionDetail = Type.Intersect([Reaction, Type.Object({ schedule: Nullable(ReactionSchedule) })]);

export const ReactionListItem = Type.Intersect([
  Reaction,
  Type.Object({ nextFireAt: Nullable({ ...FireTime, description: "A scheduled reaction's next tick; null otherwise or when disabled" }) }),
]);

export const SchedulePreview = Type.Object(
  {
    description: Type.String({ description: 'The schedule in words' }),
    next: Type.Array(FireTime, { description: 'The next five ticks' }),
  },
  { description: 'For a valid scheduled document: its schedule in words and its next ticks' },
);

export const ReactionPatch = Type.Object(
  { enabled: Type.Boolean({ description: 'A change is a new version whose document says the same' }) },
  { additionalProperties: false },
);

export const ReactionVersion = Type.Object({
  version: Type.Integer(),
  enabled: Type.Boolean(),
  createdAt: Timestamp,
  document: Type.Unknown({ description: 'The document as applied' }),
});

export const ReactionApplied = Type.Intersect([
  Reaction,
  Type.Object({ changed: Type.Boolean({ description: 'False when the same document was applied again' }) }),
]);

const Attempt = Type.Object({
  attempt: Type.Integer(),
  startedAt: Timestamp,
  finishedAt: Nullable(Timestamp),
  error: Nullable(Type.String()),
});

export const Step = Type.Object({
  id: Type.String(),
  status: Type.String({ description: 'pending, running, waiting, succeeded, failed or cancelled' }),
  channel: Nullable(Type.String({ description: 'The channel the step ended on' })),
  attempt: Type.Integer(),
  idempotencyKey: Type.String(),
  input: Type.Unknown({ description: 'The rendered input, secrets redacted' }),
  output: Type.Unknown(),
  error: Nullable(Type.String()),
  logs: Type.Array(Type.String()),
  attempts: Type.Array(Attempt),
  waitingUntil: Nullable(Timestamp),
  createdAt: Timestamp,
  startedAt: Nullable(Timestamp),
  finishedAt: Nullable(Timestamp),
});

export const Run = Type.Object({
  id: Type.String(),
  reaction: Type.String(),
  reactionVersion: Type.Integer(),
  eventId: Type.String(),
  status: Type.String({ description: 'queued, running, waiting, succeeded, failed or cancelled' }),
  concurrencyKey: Nullable(Type.String()),
  error: Nullable(Type.String()),
  createdAt: Timestamp,
  startedAt: Nullable(Timestamp),
  finishedAt: Nullable(Timestamp),
  steps: Type.Optional(Type.Array(Step)),
});

export const RunQuery = Type.Object({
  reaction: Type.Optional(Type.String({ minLength: 1 })),
  eventId: Type.Optional(Type.String({ minLength: 1, description: 'Runs started by this event' })),
  status: Type.Optional(Type.Union(['queued', 'running', 'waiting', 'succeeded', 'failed', 'cancelled'].map((s) => Type.Literal(s)))),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  cursor: Type.Optional(Type.String({ minLength: 1 })),
});

export const Decision = Type.Object({ comment: Type.Optional(Type.String({ maxLength: 2000 })) }, { additionalProperties: false });

export const DryRunRequest = Type.Object(
  {
    eventId: Type.Optional(Type.String({ description: 'A stored event' })),
    event: Type.Optional(
      Type.Object(
        { type: Type.String({ minLength: 1 }), data: Type.Unknown(), source: Type.Optional(Type.String()) },
        { description: 'An event made up for the test' },
      ),
    ),
  },
  { additionalProperties: false },
);

/** The part of a reaction that refused an event (src/core/reactions/refusal.ts says how each is checked). */
export const RefusedBy = Type.Object(
  {
    part: Type.Union(
      [
        Type.Literal('disabled'),
        Type.Literal('event'),
        Type.Literal('own-run'),
        Type.Literal('filter'),
        Type.Literal('schedule'),
        Type.Literal('trigger'),
        Type.Literal('condition'),
      ],
      {
        description:
          'The first part that refused, in the order they are checked: disabled, event (its type), own-run, filter, schedule, trigger (connection and options), condition (`if`)',
      },
    ),
    key: Type.Optional(
      Type.String({ description: "filter: the data field's path; trigger: `connection` or the option (`project`, `categories`…)" }),
    ),
    expected: Type.Optional(
      Type.Unknown({ description: 'What the reaction accepts there: the values, the connection, the option, the type or the condition' }),
    ),
    actual: Type.Optional(
      Type.Unknown({
        description:
          "What the event holds there (filter: the field's value; connection: the event's source; an option: the data fields it compares, by name; event: its type), bounded in size; absent when the event holds nothing there",
      }),
    ),
  },
  { description: 'Which part refused the event, and what it compared; null when the reaction would start' },
);

export const DryRunResult = Type.Object({
  matched: Type.Boolean(),
  reason: Nullable(Type.String({ description: 'Why it would not run' })),
  refusedBy: Nullable(RefusedBy),
  steps: Type.Array(
    Type.Object({
      id: Type.String(),
      uses: Type.String(),
      after: Nullable(Type.Object({ step: Type.String(), channel: Type.String() })),
      runsFirst: Type.Boolean({ description: 'Runs as soon as the run starts; the others depend on earlier channels' }),
      input: Type.Unknown({ description: 'Rendered input, secrets redacted (null when it cannot be rendered yet)' }),
      error: Nullable(Type.String({ description: 'Why the input cannot be rendered, e.g. it uses a step output' })),
    }),
  ),
});

const MadeUpEvent = Type.Object(
  { type: Type.String({ minLength: 1 }), data: Type.Optional(Type.Unknown()), source: Type.Optional(Type.String()) },
  { additionalProperties: false, description: 'An event made up for the test' },
);

export const ValidateRequest = Type.Object(
  {
    document: Type.Optional(Type.Object({}, { additionalProperties: true, description: 'The reaction document as JSON' })),
    yaml: Type.Optional(Type.String({ description: 'The reaction document as YAML (one document)' })),
    eventId: Type.Optional(Type.String({ description: 'Also dry-run it against this stored event' })),
    event: Type.Optional(MadeUpEvent),
  },
  { additionalProperties: false },
);

export const ValidateResult = Type.Object({
  valid: Type.Boolean(),
  problems: Type.Array(Type.String(), { description: 'What PUT /api/v1/reactions/:name would refuse it for' }),
  warnings: Type.Array(Type.String(), {
    description: 'What would stop this caller saving a valid document (an admin-only action used without the admin role)',
  }),
  reaction: Nullable(
    Type.Object({}, { additionalProperties: true, description: 'The normalized reaction (defaults filled in) when valid' }),
  ),
  dryRun: Nullable(DryRunResult),
  schedule: Type.Optional(SchedulePreview),
});

export const EventMatch = Type.Object({
  reaction: Type.String(),
  version: Type.Integer({ description: 'The current version, the one matched against' }),
  enabled: Type.Boolean(),
  trigger: Type.String(),
  matched: Type.Boolean({ description: 'Whether it would start on this event now' }),
  reason: Nullable(Type.String({ description: 'Why not, in the words of a dry run' })),
  refusedBy: Nullable(RefusedBy),
  runs: Type.Array(Type.Object({ id: Type.String(), status: Type.String() }), {
    description: 'The runs this event started for it, newest first',
  }),
});

export const ReplayRequest = Type.Object({ reaction: Type.Optional(Type.String({ minLength: 1 })) }, { additionalProperties: false });
export const ReplayResult = Type.Object({ runs: Type.Array(Type.Object({ id: Type.String(), reaction: Type.String() })) });

export const ActionDoc = Type.Object({
  name: Type.String(),
  description: Type.String(),
  channels: Type.Array(Type.String()),
  adminOnly: Type.Boolean(),
  config: Type.Unknown({ description: 'JSON Schema of `with`' }),
  exampleOutput: Type.Unknown(),
});
