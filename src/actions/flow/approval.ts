import { Type } from 'typebox';
import { approvalKey } from '../../core/correlation.js';
import type { ResumeCause } from '../../engine/action.js';
import { defineAction } from '../../engine/define-action.js';
import { NonRetriableError } from '../../engine/action.js';
import { Duration, requireDuration } from '../../core/duration.js';
import { errorMessage } from '../../core/error-message.js';

const Config = Type.Object(
  {
    message: Type.Optional(Type.String({ title: 'Message', description: 'What the approver is asked, shown with the run' })),
    timeout: Type.Optional(
      Duration('How long to wait for a decision (e.g. "4h"); none: wait until decided', { title: 'Decision timeout', placeholder: '4h' }),
    ),
  },
  { additionalProperties: false },
);

interface Decision {
  approved: boolean;
  approver: string;
  comment: string | null;
  decidedAt: string;
}

function durationOf(value: string | number): number {
  try {
    return requireDuration(value);
  } catch (err) {
    throw new NonRetriableError(`timeout: ${errorMessage(err)}`);
  }
}

/**
 * Waits for a person: `POST /api/v1/runs/:id/steps/:step/approve` or `/reject` (role write)
 * resumes the step on `approved` or `rejected`, recording who decided. With a `timeout`, no
 * decision by then routes to `failed` with reason `timeout`.
 */
export const approvalAction = defineAction({
  name: 'approval',
  description: 'Waits for someone to approve or reject the run through the API, CLI or UI.',
  channels: ['approved', 'rejected', 'failed'],
  config: Config,
  exampleOutput: { approved: true, approver: 'ci-admin', comment: 'ship it', decidedAt: '2026-01-01T00:00:00.000Z' },
  async run(ctx, config) {
    const timeoutMs = config.timeout === undefined ? null : durationOf(config.timeout);
    ctx.log(config.message ? `waiting for approval: ${config.message}` : 'waiting for approval');
    return {
      wait: true,
      correlate: [approvalKey(ctx.runId, ctx.stepId)],
      ...(timeoutMs !== null ? { deadline: new Date(ctx.now().getTime() + timeoutMs).toISOString() } : {}),
      state: { message: config.message ?? null },
    };
  },
  async resume(ctx, _config, _state, cause: ResumeCause) {
    if (cause.kind === 'timeout') return { channel: 'failed', output: { reason: 'timeout' } };
    if (cause.kind !== 'signal') return { channel: 'failed', output: { reason: 'unexpected event' } };
    const decision = cause.payload as Decision;
    ctx.log(`${decision.approved ? 'approved' : 'rejected'} by ${decision.approver}${decision.comment ? `: ${decision.comment}` : ''}`);
    return { channel: decision.approved ? 'approved' : 'rejected', output: decision };
  },
});
