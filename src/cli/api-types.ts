// The shapes the CLI reads from the REST API, derived from the server's HTTP contract
// (src/server/schemas.ts). Type-only imports: the CLI loads none of the server's code.
import type { Static } from '@fastify/type-provider-typebox';
import type * as Schemas from '../server/schemas.js';

export type { Page } from '../core/page.js';
export type { Role } from '../core/vocabulary.js';
export { ROLES } from '../core/vocabulary.js';

export interface List<T> {
  items: T[];
}

export type Service = Static<typeof Schemas.Service>;
export type DeployEndpoint = Static<typeof Schemas.Endpoint>;
export type Deploy = Static<typeof Schemas.Deploy>;
export type Suggestion = Static<typeof Schemas.Suggestion>;
export type ApiToken = Static<typeof Schemas.Token>;
/** Includes `token`, the secret: the server shows it in the create response only. */
export type CreatedToken = Static<typeof Schemas.TokenCreated>;

import type * as EngineSchemas from '../server/engine-schemas.js';
/** A scheduled reaction's schedule, as GET /reactions/:name adds it (null for one started by events). */
export interface ReactionSchedule {
  cron: string;
  timezone: string;
  catchUp: string;
  description: string;
  nextFireAt: string | null;
  next: string[];
  lastTicks: Array<{ scheduledAt: string; firedAt: string; eventId: string; runId: string | null }>;
}
export type Reaction = Static<typeof EngineSchemas.Reaction> & { schedule?: ReactionSchedule | null; nextFireAt?: string | null };
export type ReactionApplied = Static<typeof EngineSchemas.ReactionApplied>;
export type Run = Static<typeof EngineSchemas.Run>;
export type ShiplineEventView = Static<typeof EngineSchemas.Event>;
export type DryRunResult = Static<typeof EngineSchemas.DryRunResult>;
