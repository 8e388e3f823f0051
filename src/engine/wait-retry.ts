import type { StepSpec } from '../core/reactions/document.js';
import { backoffDelayMs } from '../core/reactions/durations.js';
import type { ClaimedJob } from '../store/engine/jobs.js';
import type { StepDecision } from '../store/engine/step-outcomes.js';
import { NonRetriableError, RetryAfterError } from './action.js';
import type { StepRecorder } from './step-io.js';

/** What a poll or resume job carries across its failed tries: how many in a row, since when. */
interface WaitRetry {
  failures: number;
  since: string;
}

/**
 * What a poll or resume of a waiting step leads to when it throws. The step waits on work that
 * goes on elsewhere (an Octopus task): a poll that met a 500 or a dropped connection says nothing
 * about that work, so the step keeps waiting — status, correlation keys, deadline and attempt
 * untouched — and the same job runs again with the step's backoff (at least any Retry-After).
 * A webhook arriving meanwhile resumes the step as usual; whichever ends it first wins (the
 * step's fence), and ending it deletes the job retried here.
 *
 * Only a NonRetriableError ends the wait at once. Otherwise the wait's deadline ends it (its
 * timeout job), or, for a wait without one, the step's timeout counted from the first failure
 * in a row. Returns null when the step must end on `failed`.
 */
export function retryWaitJob(
  job: ClaimedJob,
  step: StepSpec,
  err: unknown,
  timeoutMs: number,
  now: Date,
  recorder: StepRecorder,
): StepDecision | null {
  if (job.kind !== 'poll' && job.kind !== 'resume') return null;
  if (err instanceof NonRetriableError) return null;
  const payload = (job.payload ?? {}) as Record<string, unknown> & { retry?: WaitRetry; pollEveryMs?: number };
  const previous = payload.retry;
  const retry: WaitRetry = { failures: (previous?.failures ?? 0) + 1, since: previous?.since ?? now.toISOString() };
  if (!job.step.waitDeadline && now.getTime() - Date.parse(retry.since) >= timeoutMs) return null;
  // Never slower than the poll the step asked for: backoff is for easing off, not for waiting less often.
  const ceiling = typeof payload.pollEveryMs === 'number' ? payload.pollEveryMs : Number.POSITIVE_INFINITY;
  const delay = Math.max(
    Math.min(backoffDelayMs(step.retry, retry.failures), ceiling),
    err instanceof RetryAfterError ? err.retryAfterMs : 0,
  );
  recorder.log(`${job.kind} failed (${retry.failures} in a row); still waiting, trying again in ${delay} ms`);
  return {
    kind: 'wait-retry',
    jobId: job.id,
    runId: job.runId,
    stepId: job.stepId,
    fence: { status: 'waiting', attempt: job.step.attempt },
    logs: recorder.logs,
    runAt: new Date(now.getTime() + delay).toISOString(),
    payload: { ...payload, retry },
  };
}

/** A poll that answered (pending) starts a fresh series: the failures before it no longer count. */
export function withoutRetry(payload: unknown): unknown {
  if (payload === null || typeof payload !== 'object' || !('retry' in payload)) return payload;
  const rest = { ...(payload as Record<string, unknown>) };
  delete rest.retry;
  return rest;
}
