import { useState } from 'react';
import { Link } from 'react-router';
import { ActionButton, Empty, ErrorNotice, Loading, Pager, Time } from '../../components/ui';
import { api, seg } from '../../lib/api';
import { useSession } from '../../lib/session';
import { ConnectionStatus } from './connection-status';
import OctopusConnectForm from './OctopusConnectForm';
import { SubscriptionSummary, unsettled, usePollWhile } from './subscription';
import type { Connection } from './types';
import { useListPages } from '../../lib/hooks';

const isOctopus = (c: Connection) => c.type === 'octopus';

/** The Octopus servers connected, each with its subscription (updated until it settles), and the form to connect one. */
export default function OctopusPanel() {
  const { can } = useSession();
  const list = useListPages<Connection>('/api/v1/connections', isOctopus);
  const poll = usePollWhile(list.all.some(unsettled), list);
  const [connecting, setConnecting] = useState(false);
  const showForm = can('admin') && (connecting || (list.data !== undefined && list.all.length === 0));

  return (
    <>
      <div className="integrations-toolbar">
        <p className="muted">
          Connect an Octopus server once: Shipline keeps its subscription in Octopus, turns deployments into events and catalog deploys, and
          deploys releases from reactions.
        </p>
        {can('admin') && !showForm && list.all.length > 0 ? (
          <button type="button" onClick={() => setConnecting(true)}>
            Connect another server
          </button>
        ) : null}
      </div>
      {showForm ? (
        <OctopusConnectForm
          onSaved={() => {
            setConnecting(false);
            list.reload();
            poll.restart();
          }}
          onCancel={list.all.length > 0 ? () => setConnecting(false) : undefined}
        />
      ) : null}
      <ErrorNotice error={list.error} />
      {list.loading && !list.data ? <Loading /> : null}
      {list.data && list.all.length === 0 && !can('admin') ? (
        <Empty>No Octopus server is connected. An admin can connect one here.</Empty>
      ) : null}
      {list.items.map((connection) => (
        <OctopusCard
          key={connection.id}
          connection={connection}
          timedOut={poll.timedOut}
          onChanged={() => {
            list.reload();
            poll.restart();
          }}
        />
      ))}
      <Pager {...list} />
    </>
  );
}

function OctopusCard({ connection, timedOut, onChanged }: { connection: Connection; timedOut: boolean; onChanged(): void }) {
  const { can } = useSession();
  const config = connection.config as { serverUrl?: string; trackDeploys?: boolean };
  return (
    <section className="card" aria-label={`Octopus connection ${connection.name}`} data-connection={connection.name}>
      <div className="integrations-card-head">
        <h2 className="integrations-card-title">
          <Link to={`/integrations/connections/${seg(connection.name)}`}>{connection.name}</Link>
        </h2>
        <ConnectionStatus connection={connection} />
      </div>
      {connection.status === 'error' && connection.error ? (
        <div className="notice notice-error" role="alert">
          <strong>Octopus answered:</strong> {connection.error}
        </div>
      ) : null}
      <dl className="kv">
        <dt>Server</dt>
        <dd>
          {config.serverUrl ? (
            <a href={config.serverUrl} target="_blank" rel="noreferrer">
              {config.serverUrl}
            </a>
          ) : (
            '—'
          )}
        </dd>
        <dt>Space</dt>
        <dd>{connection.space ? `${connection.space.name} (${connection.space.id})` : '—'}</dd>
        <dt>Version</dt>
        <dd>{connection.version ?? '—'}</dd>
        <dt>Deploy tracking</dt>
        <dd>{config.trackDeploys === false ? 'off' : 'on'}</dd>
        <dt>Last tested</dt>
        <dd>
          <Time iso={connection.checkedAt} />
        </dd>
      </dl>
      <SubscriptionSummary connection={connection} timedOut={timedOut} onCheckAgain={onChanged} />
      <div className="integrations-row-actions">
        {can('write') ? (
          <ActionButton
            busyLabel="Testing…"
            onAction={async () => {
              await api.post(`/api/v1/connections/${seg(connection.name)}/test`);
              onChanged();
            }}
          >
            Test
          </ActionButton>
        ) : null}
        <Link className="button" to={`/integrations/connections/${seg(connection.name)}`}>
          Details and resources
        </Link>
      </div>
    </section>
  );
}
