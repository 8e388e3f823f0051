import { useState } from 'react';
import { ActionButton, ErrorNotice } from '../../components/ui';
import { api, seg } from '../../lib/api';
import { useResource } from '../../lib/hooks';
import { useSession } from '../../lib/session';
import type { Deploy } from '../../lib/types';
import type { FailureMatch, InsightDeploy } from '../services/catalog-types';

interface FailureRows {
  rows: Array<{ deploy: InsightDeploy; failures: FailureMatch[] }>;
}

const RULES: Record<FailureMatch['rule'], string> = {
  status: 'its status is failed',
  marked: 'someone marked it failed',
  incident: 'an incident opened soon after it',
  rollback: 'a later deploy rolled it back',
};

/**
 * Whether the change failure rate counts this deploy, and why. A single deploy does not carry
 * its failure mark, so this asks the change-failure drill-down for the one instant it was deployed.
 * Deploys without a service or environment are outside the insights: null then.
 */
function useFailures(deploy: Deploy) {
  const scoped = deploy.service && deploy.environment;
  const at = Date.parse(deploy.deployedAt);
  const query = scoped ? {
    metric: 'changeFailureRate', service: deploy.service!.id, environment: deploy.environment!,
    from: new Date(at).toISOString(), to: new Date(at + 1).toISOString(),
  } : undefined;
  const loaded = useResource<FailureRows>(scoped ? '/api/v1/insights/dora/drilldown' : null, query);
  const row = loaded.data?.rows.find((r) => r.deploy.id === deploy.id);
  return { ...loaded, failures: row ? row.failures : null };
}

/** The failures Shipline sees in a deploy, and (write role) the control to mark or unmark it. */
export function DeployFailure({ deploy }: { deploy: Deploy }) {
  const { can } = useSession();
  const { failures, error, reload } = useFailures(deploy);
  const [reason, setReason] = useState('');
  const marked = failures?.some((f) => f.rule === 'marked') ?? false;

  const mark = async () => {
    await api.post(`/api/v1/deploys/${seg(deploy.id)}/failure`, { reason: reason.trim() });
    setReason('');
    reload();
  };
  const clear = async () => {
    await api.delete(`/api/v1/deploys/${seg(deploy.id)}/failure`);
    reload();
  };

  return (
    <section aria-labelledby="deploy-failure" className="card">
      <h2 id="deploy-failure" className="catalog-card-title">Change failure</h2>
      <ErrorNotice error={error} />
      {failures === null ? (
        <p className="muted">{deploy.service && deploy.environment ? 'Only finished deploys count in the change failure rate.' : 'Deploys count in the insights once a service claims them.'}</p>
      ) : failures.length === 0 ? (
        <p>Not a failure: it counts as a successful change.</p>
      ) : (
        <ul className="catalog-failures">
          {failures.map((f) => (
            <li key={`${f.rule}:${f.detail}`}><strong>Failed because {RULES[f.rule]}</strong>: {f.detail}</li>
          ))}
        </ul>
      )}
      {can('write') ? (
        <div className="catalog-failure-actions">
          {marked ? (
            <ActionButton onAction={clear} busyLabel="Clearing…">Clear the failure mark</ActionButton>
          ) : (
            <form className="form-row" onSubmit={(e) => e.preventDefault()} aria-label="Mark this deploy as failed">
              <label>Reason<input name="reason" value={reason} maxLength={2000} placeholder="e.g. broke checkout, rolled back by hand" onChange={(e) => setReason(e.target.value)} /></label>
              <ActionButton className="danger" disabled={!reason.trim()} onAction={mark} busyLabel="Marking…">Mark as failed</ActionButton>
              {failures === null ? <ActionButton onAction={clear} busyLabel="Clearing…">Clear a mark</ActionButton> : null}
            </form>
          )}
        </div>
      ) : null}
    </section>
  );
}
