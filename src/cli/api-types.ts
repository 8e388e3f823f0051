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
/** One deploy as `GET /deploys/:id` reads it: with its failure mark and the status its source reported. */
export type DeployDetail = Static<typeof Schemas.DeployDetail>;
export type Suggestion = Static<typeof Schemas.Suggestion>;
export type ApiToken = Static<typeof Schemas.Token>;
/** Includes `token`, the secret: the server shows it in the create response only. */
export type CreatedToken = Static<typeof Schemas.TokenCreated>;

import type * as EngineSchemas from '../server/engine-schemas.js';
export type Reaction = Static<typeof EngineSchemas.Reaction>;
/** One reaction as `show` reads it: with its schedule (null for one started by events). */
export type ReactionDetail = Static<typeof EngineSchemas.ReactionDetail>;
/** A reaction as `list` reads it: with when a scheduled one fires next. */
export type ReactionListItem = Static<typeof EngineSchemas.ReactionListItem>;
export type ReactionSchedule = Static<typeof EngineSchemas.ReactionSchedule>;
export type ReactionApplied = Static<typeof EngineSchemas.ReactionApplied>;
export type Run = Static<typeof EngineSchemas.Run>;
export type ShiplineEventView = Static<typeof EngineSchemas.Event>;
export type DryRunResult = Static<typeof EngineSchemas.DryRunResult>;
/** One reaction against one event: would it start, and if not which part refused. */
export type EventMatch = Static<typeof EngineSchemas.EventMatch>;
export type ReplayResult = Static<typeof EngineSchemas.ReplayResult>;
