import { useState } from 'react';
import { Link } from 'react-router';
import { ActionButton, Time } from '../../components/ui';
import { api, seg } from '../../lib/api';
import type { Service } from '../../lib/types';
import type { Suggestion } from './catalog-types';
import { count } from '../../lib/plural';

export type Outcome =
  { kind: 'created' | 'attached'; alias: string; service: Service; deploys: number } | { kind: 'dismissed'; alias: string };

/** One unclaimed alias with what the write role can do with it: accept, attach to a service, dismiss. */
export function SuggestionRow({
  suggestion,
  canWrite,
  onDone,
}: {
  suggestion: Suggestion;
  canWrite: boolean;
  onDone(outcome: Outcome): void;
}) {
  const [attaching, setAttaching] = useState(false);
  const [target, setTarget] = useState('');
  const path = `/api/v1/suggestions/${seg(suggestion.alias)}`;
  const { alias, deployCount } = suggestion;

  const accept = async () =>
    onDone({ kind: 'created', alias, deploys: deployCount, service: await api.post<Service>(`${path}/accept`, {}) });
  const attach = async () =>
    onDone({
      kind: 'attached',
      alias,
      deploys: deployCount,
      service: await api.post<Service>(`${path}/accept`, { serviceId: target.trim() }),
    });
  const dismiss = async () => {
    await api.post(`${path}/dismiss`);
    onDone({ kind: 'dismissed', alias });
  };
  const inputId = `attach-${alias}`;

  return (
    <>
      <tr data-alias={alias}>
        <td>
          <span className="sha">{alias}</span>
        </td>
        <td>
          <Link to={`/deploys?service=${seg(alias)}`} aria-label={`${count(deployCount, 'deploy')} of ${alias}`}>
            {deployCount}
          </Link>
        </td>
        <td className="hide-narrow">
          <Time iso={suggestion.firstSeenAt} />
        </td>
        <td>
          <Time iso={suggestion.lastSeenAt} />
        </td>
        {canWrite ? (
          <td>
            <div className="catalog-row-actions">
              <ActionButton className="primary button-small" onAction={accept} busyLabel="Creating…">
                Accept
              </ActionButton>
              <button
                type="button"
                className="button-small"
                aria-expanded={attaching}
                aria-controls={inputId}
                onClick={() => setAttaching(!attaching)}
              >
                Attach…
              </button>
              <ActionButton
                className="button-small"
                onAction={dismiss}
                busyLabel="Dismissing…"
                confirm={`Dismiss ${alias}? Its deploys stay recorded; it will not be suggested again.`}
              >
                Dismiss
              </ActionButton>
            </div>
          </td>
        ) : null}
      </tr>
      {attaching ? (
        <tr className="catalog-attach">
          <td colSpan={canWrite ? 5 : 4}>
            <form className="form-row" aria-label={`Attach ${alias} to a service`} onSubmit={(e) => e.preventDefault()}>
              <label>
                Attach {alias} to service
                <input
                  id={inputId}
                  name="service"
                  list="catalog-service-names"
                  value={target}
                  autoComplete="off"
                  placeholder="service name or alias"
                  onChange={(e) => setTarget(e.target.value)}
                  autoFocus
                />
              </label>
              <ActionButton className="primary" disabled={!target.trim()} onAction={attach} busyLabel="Attaching…">
                Attach
              </ActionButton>
              <button type="button" onClick={() => setAttaching(false)}>
                Cancel
              </button>
            </form>
          </td>
        </tr>
      ) : null}
    </>
  );
}
