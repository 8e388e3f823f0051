import { describe, expect, it } from 'vitest';
import type { StepSpec } from '../core/reactions/document.js';
import type { ClaimedJob } from '../store/engine/jobs.js';
import { NonRetriableError, RetryAfterError } from './action.js';
import { StepRecorder } from './step-io.js';
import { retryWaitJob, withoutRetry } from './wait-retry.js';

const now = new Date('2026-02-05T16:00:00.000Z');
const step: StepSpec = {
  id: 'deploy',
  uses: 'octopus.deployRelease',
  with: {},
  after: null,
  retry: { attempts: 3, backoff: 'exponential', initialMs: 1000, maxMs: 300_000 },
  timeoutMs: null,
};
const job = (kind: ClaimedJob['kind'], payload: unknown, waitDeadline: string | null = '2026-02-05T17:00:00.000Z'): ClaimedJob => ({
  id: 'job-1',
  kind,
  runId: 'run-1',
  stepId: 'deploy',
  payload,
  run: { id: 'run-1', reaction: 'r', version: 1, eventId: 'e', status: 'waiting' },
  step: { status: 'waiting', attempt: 1, waitState: {}, logs: [], attempts: [], input: null, waitDeadline },
  event: { id: 'e', type: 't', source: 's', timestamp: now.toISOString(), data: {} },
  outputs: {},
});
const decide = (j: ClaimedJob, err: unknown, timeoutMs = 600_000) =>
  retryWaitJob(j, step, err, timeoutMs, now, new StepRecorder([], () => now));

describe('retryWaitJob', () => {
  it('keeps a failed poll waiting: same job later, failures counted in its payload, the step fenced on waiting', () => {
    const first = decide(job('poll', { pollEveryMs: 60_000 }), new Error('socket hang up'));
    expect(first).toMatchObject({
      kind: 'wait-retry',
      jobId: 'job-1',
      fence: { status: 'waiting', attempt: 1 },
      payload: { pollEveryMs: 60_000, retry: { failures: 1, since: now.toISOString() } },
    });
    const second = decide(job('poll', (first as { payload: unknown }).payload), new Error('socket hang up'));
    expect(second).toMatchObject({ payload: { retry: { failures: 2, since: now.toISOString() } } });
    const delay = Date.parse((second as { runAt: string }).runAt) - now.getTime();
    expect(delay).toBeGreaterThanOrEqual(1000);
    expect(delay).toBeLessThanOrEqual(2000);
  });

  it('waits at least Retry-After, and never longer than the poll interval otherwise', () => {
    const after = decide(job('resume', { kind: 'event', key: 'k', eventId: 'e' }), new RetryAfterError('Octopus 429', 30_000));
    expect(Date.parse((after as { runAt: string }).runAt) - now.getTime()).toBe(30_000);
    const capped = decide(job('poll', { pollEveryMs: 5_000, retry: { failures: 12, since: now.toISOString() } }), new Error('500'));
    expect(Date.parse((capped as { runAt: string }).runAt) - now.getTime()).toBe(5_000);
  });

  it('leaves a NonRetriableError, a step or timeout job, and a deadline-less wait failing past the step timeout to end the step', () => {
    expect(decide(job('poll', {}), new NonRetriableError('404'))).toBeNull();
    expect(decide(job('step', null), new Error('500'))).toBeNull();
    expect(decide(job('timeout', null), new Error('500'))).toBeNull();
    const since = new Date(now.getTime() - 10_000).toISOString();
    expect(decide(job('poll', { retry: { failures: 3, since } }, null), new Error('500'), 10_000)).toBeNull();
    expect(decide(job('poll', { retry: { failures: 3, since } }), new Error('500'), 10_000)).not.toBeNull();
  });

  it('a poll that answers starts a fresh series', () => {
    expect(withoutRetry({ pollEveryMs: 5000, retry: { failures: 2, since: 'x' } })).toEqual({ pollEveryMs: 5000 });
    expect(withoutRetry(null)).toBeNull();
  });
});
