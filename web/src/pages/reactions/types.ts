// The server's reaction shapes the reactions pages use, from its schemas (type-only imports).
import type { Static } from '@fastify/type-provider-typebox';
import type * as ConnectionSchemas from '../../../../src/server/connection-schemas.js';
import type * as EngineSchemas from '../../../../src/server/engine-schemas.js';

export type Reaction = Static<typeof EngineSchemas.Reaction>;
/** One reaction as GET /reactions/:name gives it: with its schedule (null for one started by events). */
export type ReactionDetail = Static<typeof EngineSchemas.ReactionDetail>;
/** A reaction in GET /reactions: with when a scheduled one fires next. */
export type ReactionListItem = Static<typeof EngineSchemas.ReactionListItem>;
export type ScheduleView = Static<typeof EngineSchemas.ReactionSchedule>;
export type ScheduleTick = Static<typeof EngineSchemas.ScheduleTick>;
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
export type Validation = Static<typeof EngineSchemas.ValidateResult>;

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
