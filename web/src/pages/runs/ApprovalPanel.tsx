import { useState } from 'react';
import { ActionButton } from '../../components/ui';
import { api, seg } from '../../lib/api';
import { useSession } from '../../lib/session';
import type { RunStep } from './run-structure';

const messageOf = (input: unknown) => {
  const message = (input as { message?: unknown } | null)?.message;
  return typeof message === 'string' && message ? message : null;
};

/** A waiting approval step: what is asked, and (role write) approve or reject with a comment. */
export function ApprovalPanel({ runId, step, onDecided }: { runId: string; step: RunStep; onDecided(): void }) {
  const { can } = useSession();
  const [comment, setComment] = useState('');
  const message = messageOf(step.execution?.input);
  const decide = async (verb: 'approve' | 'reject') => {
    await api.post(`/api/v1/runs/${seg(runId)}/steps/${seg(step.id)}/${verb}`, comment.trim() ? { comment: comment.trim() } : {});
    setComment('');
    onDecided();
  };
  const fieldId = `runs-approval-comment-${step.id}`;
  return (
    <section className="notice notice-warn runs-approval" aria-labelledby={`${fieldId}-title`}>
      <h2 id={`${fieldId}-title`}>Step {step.id} is waiting for approval</h2>
      {message ? <p className="runs-approval-message">{message}</p> : null}
      {step.execution?.waitingUntil ? (
        <p className="hint">Without a decision by {new Date(step.execution.waitingUntil).toLocaleString()}, it fails.</p>
      ) : null}
      {can('write') ? (
        <div className="runs-approval-form">
          <label htmlFor={fieldId}>
            Comment <span className="hint">(optional, recorded with the decision)</span>
            <input id={fieldId} type="text" maxLength={2000} value={comment} onChange={(e) => setComment(e.target.value)} />
          </label>
          <ActionButton className="primary" busyLabel="Approving…" onAction={() => decide('approve')}>
            Approve
          </ActionButton>
          <ActionButton className="danger" busyLabel="Rejecting…" onAction={() => decide('reject')}>
            Reject
          </ActionButton>
        </div>
      ) : (
        <p>Someone with the write role can approve or reject it.</p>
      )}
    </section>
  );
}
