import { useState } from 'react';
import { Link } from 'react-router';
import { ActionButton, StatusBadge, Time } from '../../components/ui';
import { api, seg } from '../../lib/api';
import { useSession } from '../../lib/session';
import type { Deploy } from '../../lib/types';

/** A deploy's failure mark, as `GET /api/v1/deploys/:id` carries it. */
export interface FailureMark {
  reason: string;
  /** The token's name, or the email of the signed-in user who marked it. */
  markedBy: string | null;
  markedAt: string;
}

/**
 * The change failure rate around this deploy (its UTC day, its service and environment): the
 * drill-down there tells which rule counts it. The deploy itself carries only the mark.
 */
function drilldownLink(deploy: Deploy): string | null {
  if (!deploy.service || !deploy.environment) return null;
  const day = deploy.deployedAt.slice(0, 10);
  const query = new URLSearchParams({
    service: deploy.service.name,
    environment: deploy.environment,
    from: day,
    to: day,
    drill: 'changeFailureRate',
  });
  return `/insights?${query}`;
}

function OtherRules({ deploy }: { deploy: Deploy }) {
  const link = drilldownLink(deploy);
  if (!deploy.service) return <p className="hint">Deploys count in the insights once a service claims them.</p>;
  if (!link) return <p className="hint">Deploys without an environment are outside the insights.</p>;
  return (
    <p className="hint">
      {deploy.status === 'queued' || deploy.status === 'started' ? 'It counts in the change failure rate once it finishes. ' : null}A deploy
      also fails when its status is failed, an incident follows it or a later deploy rolls it back:{' '}
      <Link to={link}>the change failure rate of that day</Link> shows which rule counts it.
    </p>
  );
}

/**
 * Whether someone marked this deploy failed (the mark comes with the deploy), and (write role) the
 * control to mark or clear it. `onChanged` reads the deploy again; the buttons stay busy until then.
 */
export function DeployFailure({
  deploy,
  failure,
  reportedStatus,
  onChanged,
}: {
  deploy: Deploy;
  failure: FailureMark | null;
  reportedStatus: Deploy['status'];
  onChanged(): Promise<void>;
}) {
  const { can } = useSession();
  const [reason, setReason] = useState('');

  const mark = async () => {
    await api.post(`/api/v1/deploys/${seg(deploy.id)}/failure`, { reason: reason.trim() });
    setReason('');
    await onChanged();
  };
  const clear = async () => {
    await api.delete(`/api/v1/deploys/${seg(deploy.id)}/failure`);
    await onChanged();
  };

  return (
    <section aria-labelledby="deploy-failure" className="card">
      <h2 id="deploy-failure" className="catalog-card-title">
        Change failure
      </h2>
      {failure ? (
        <dl className="kv">
          <dt>Marked failed by</dt>
          <dd>{failure.markedBy ?? <span className="muted">unknown</span>}</dd>
          <dt>Marked</dt>
          <dd>
            <Time iso={failure.markedAt} />
          </dd>
          <dt>Reason</dt>
          <dd>{failure.reason}</dd>
          <dt>Reported</dt>
          <dd>
            <StatusBadge status={reportedStatus} /> <span className="muted">by its source; it reads failed until the mark is cleared</span>
          </dd>
        </dl>
      ) : (
        <p>
          Not marked as failed.{deploy.status === 'failed' ? ' Its status is failed, though: the change failure rate counts it.' : null}
        </p>
      )}
      <OtherRules deploy={deploy} />
      {can('write') ? (
        <div className="catalog-failure-actions">
          {failure ? (
            <ActionButton onAction={clear} busyLabel="Clearing…">
              Clear the failure mark
            </ActionButton>
          ) : (
            <form className="form-row" onSubmit={(e) => e.preventDefault()} aria-label="Mark this deploy as failed">
              <label>
                Reason
                <input
                  name="reason"
                  value={reason}
                  maxLength={2000}
                  placeholder="e.g. broke checkout, rolled back by hand"
                  onChange={(e) => setReason(e.target.value)}
                />
              </label>
              <ActionButton className="danger" disabled={!reason.trim()} onAction={mark} busyLabel="Marking…">
                Mark as failed
              </ActionButton>
            </form>
          )}
        </div>
      ) : null}
    </section>
  );
}
