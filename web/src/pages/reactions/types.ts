// The server's reaction shapes the reactions pages use, from its schemas (type-only imports).
import type { Static } from '@fastify/type-provider-typebox';
import type * as ConnectionSchemas from '../../../../src/server/connection-schemas.js';
import type * as EngineSchemas from '../../../../src/server/engine-schemas.js';

/** One tick of a schedule: when it was due, when it fired, its event and the run it started (null when none). */
export interface ScheduleTick {
  scheduledAt: string;
  firedAt: string;
  eventId: string;
  runId: string | null;
}

/** A scheduled reaction's schedule as GET /reactions/:name gives it: null for a reaction started by events. */
export interface ScheduleView {
  cron: string;
  timezone: string;
  catchUp: string;
  /** The schedule in words, e.g. "at 09:00 on Monday–Friday, Europe/Berlin". */
  description: string;
  /** ISO UTC, or null when disabled or no tick is ahead. */
  nextFireAt: string | null;
  /** The next five ticks, ISO UTC; empty when disabled. */
  next: string[];
  /** Newest first, at most ten. */
  lastTicks: ScheduleTick[];
}

/** What POST /reactions/validate previews for a valid scheduled document. */
export interface SchedulePreview {
  description: string;
  next: string[];
}

export type Reaction = Static<typeof EngineSchemas.Reaction> & { schedule?: ScheduleView | null; nextFireAt?: string | null };
export type LastRun = NonNullable<Reaction['lastRun']>;
export type ReactionVersion = Static<typeof EngineSchemas.ReactionVersion>;

/** A JSON Schema as the action manifests give it (TypeBox output): only the parts the form reads. */
export interface JsonSchema {
  type?: string | string[];
  /** Declared UI metadata: the field's label, an example value shown in the empty input, more examples, and whether to mask it. */
  title?: string;
  placeholder?: string;
  examples?: unknown[];
  sensitive?: boolean;
  description?: string;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  patternProperties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  default?: unknown;
}

export interface ActionDoc {
  name: string;
  description: string;
  channels: string[];
  adminOnly: boolean;
  config: JsonSchema | null;
  exampleOutput: unknown;
}

export type DryRun = Static<typeof EngineSchemas.DryRunResult>;
export type DryRunStep = DryRun['steps'][number];
export type Validation = Static<typeof EngineSchemas.ValidateResult> & { schedule?: SchedulePreview };

export interface ConnectionSummary {
  name: string;
  type: string;
  status: string;
}

export type PickerResource = Static<typeof ConnectionSchemas.Resource>;
/** An event a reaction may listen to, as Shipline or a connection type (`provider`) declares it. */
export type DeclaredEvent = Static<typeof ConnectionSchemas.DeclaredEventView>;

/** The event a dry run renders against: a stored one, or one made up in the page. */
export type DryRunSubject = { eventId: string } | { event: { type: string; data: unknown; source?: string } };
