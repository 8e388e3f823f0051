// The run shapes of GET /api/v1/runs and GET /api/v1/runs/:id (src/server/engine-schemas.ts).

export type RunStatus = 'queued' | 'running' | 'waiting' | 'succeeded' | 'failed' | 'cancelled';
export const RUN_STATUSES: readonly RunStatus[] = ['queued', 'running', 'waiting', 'succeeded', 'failed', 'cancelled'];

export interface Attempt {
  attempt: number;
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
}

export interface StepExecution {
  id: string;
  /** pending, running, waiting, succeeded, failed, cancelled (or skipped). */
  status: string;
  /** The channel the step ended on. */
  channel: string | null;
  attempt: number;
  idempotencyKey: string;
  /** Rendered, with secrets already redacted by the server. */
  input: unknown;
  output: unknown;
  error: string | null;
  logs: string[];
  attempts: Attempt[];
  waitingUntil: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface Run {
  id: string;
  reaction: string;
  reactionVersion: number;
  eventId: string;
  status: string;
  concurrencyKey?: string | null;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  steps?: StepExecution[];
}

/** GET /api/v1/reactions/:name/versions/:version. */
export interface ReactionVersion {
  version: number;
  enabled: boolean;
  createdAt: string;
  document: unknown;
}

const FINISHED = new Set(['succeeded', 'failed', 'cancelled']);

export const isFinished = (status: string) => FINISHED.has(status);
