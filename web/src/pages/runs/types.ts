// The run shapes of GET /api/v1/runs and GET /api/v1/runs/:id, from the server's schemas.
import type { Static } from '@fastify/type-provider-typebox';
import type * as EngineSchemas from '../../../../src/server/engine-schemas.js';

export type RunStatus = 'queued' | 'running' | 'waiting' | 'succeeded' | 'failed' | 'cancelled';
export const RUN_STATUSES: readonly RunStatus[] = ['queued', 'running', 'waiting', 'succeeded', 'failed', 'cancelled'];

export type Run = Static<typeof EngineSchemas.Run>;
export type StepExecution = Static<typeof EngineSchemas.Step>;
export type Attempt = StepExecution['attempts'][number];

/** GET /api/v1/reactions/:name/versions/:version. */
export type ReactionVersion = Static<typeof EngineSchemas.ReactionVersion>;

const FINISHED = new Set(['succeeded', 'failed', 'cancelled']);

export const isFinished = (status: string) => FINISHED.has(status);
