import { Fragment, useState } from 'react';
import { Link } from 'react-router';
import { ActionButton, Empty, ErrorNotice, Loading, Pager, Time } from '../../components/ui';
import { api, seg } from '../../lib/api';
import { useListPages } from '../../lib/hooks';
import { useSession } from '../../lib/session';
import { fieldsOf, fieldTitle } from './connection-fields';
import { ConnectionStatus } from './connection-status';
import NewConnectionForm from './NewConnectionForm';
import { detailsText } from './probe-outcome';
import { SubscriptionSummary, unsettled, usePollWhile } from './subscription';
import type { Connection, ConnectionType } from './types';

/**
 * The connections of a type that keeps a subscription at the provider, each with its subscription
 * (updated until it settles), and the form to connect one: setting it up is Shipline's job, so
 * connecting is all there is to do.
 */
export default function SubscribingPanel({ type }: { type: ConnectionType }) {
  const { can } = useSession();
  const list = useListPages<Connection>('/api/v1/connections', (c) => c.type === type.type);
  const poll = usePollWhile(list.all.some(unsettled), list);
  const [connecting, setConnecting] = useState(false);
  const showForm = can('admin') && (connecting || (list.data !== undefined && list.all.length === 0));

  return (
    <>
      <div className="integrations-toolbar">
        <p className="muted">{type.description}</p>
        {can('admin') && !showForm && list.all.length > 0 ? (
          <button type="button" onClick={() => setConnecting(true)}>
            Connect another
          </button>
        ) : null}
      </div>
      {showForm ? (
        <NewConnectionForm
          types={[type]}
          only={type}
          onCreated={() => {
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
        <Empty>No {type.title} connection yet. An admin can add one here.</Empty>
      ) : null}
      {list.items.map((connection) => (
        <SubscribingCard
          key={connection.id}
          connection={connection}
          type={type}
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

/** A stored setting as people read it: a link for a web address, yes/no, "default" when unset. */
function configValue(value: unknown) {
  if (typeof value === 'string' && /^https?:\/\//.test(value))
    return (
      <a href={value} target="_blank" rel="noreferrer">
        {value}
      </a>
    );
  if (value === undefined || value === null || value === '') return <span className="muted">default</span>;
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function SubscribingCard({
  connection,
  type,
  timedOut,
  onChanged,
}: {
  connection: Connection;
  type: ConnectionType;
  timedOut: boolean;
  onChanged(): void;
}) {
  const { can } = useSession();
  const learned = detailsText({ ...(connection.details ?? {}), space: connection.space, version: connection.version });
  return (
    <section className="card" aria-label={`${type.title} connection ${connection.name}`} data-connection={connection.name}>
      <div className="integrations-card-head">
        <h2 className="integrations-card-title">
          <Link to={`/integrations/connections/${seg(connection.name)}`}>{connection.name}</Link>
        </h2>
        <ConnectionStatus connection={connection} />
      </div>
      {connection.status === 'error' && connection.error ? (
        <div className="notice notice-error" role="alert">
          <strong>{type.title} answered:</strong> {connection.error}
        </div>
      ) : null}
      <dl className="kv">
        {fieldsOf(type.config, false).map((field) => (
          <Fragment key={field.name}>
            <dt>{fieldTitle(field)}</dt>
            <dd>{configValue(connection.config[field.name])}</dd>
          </Fragment>
        ))}
        {learned ? (
          <>
            <dt>Last test found</dt>
            <dd>{learned}</dd>
          </>
        ) : null}
        <dt>Last tested</dt>
        <dd>
          <Time iso={connection.checkedAt} />
        </dd>
      </dl>
      <SubscriptionSummary connection={connection} provider={type.title} timedOut={timedOut} onCheckAgain={onChanged} />
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
