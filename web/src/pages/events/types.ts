// GET /api/v1/events/:id/matches and POST /api/v1/events/:id/replay, from the server's schemas.
import type { Static } from '@fastify/type-provider-typebox';
import type * as EngineSchemas from '../../../../src/server/engine-schemas.js';

export type EventMatch = Static<typeof EngineSchemas.EventMatch>;
export type ReplayResult = Static<typeof EngineSchemas.ReplayResult>;
export type RefusedBy = Static<typeof EngineSchemas.RefusedBy>;
