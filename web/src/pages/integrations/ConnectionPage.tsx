import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ActionButton, ErrorNotice, JsonView, Loading, PageHeader, Time } from '../../components/ui';
import { api, seg } from '../../lib/api';
import { useResource } from '../../lib/hooks';
import { useSession } from '../../lib/session';
import { CopyableUrl } from './command-example';
import { fieldLabel, fieldsOf, fieldTitle } from './connection-fields';
import { ConnectionStatus, deleteQuestion } from './connection-status';
import EditConnectionForm from './EditConnectionForm';
import { triggerResourceKinds } from './resource-kinds';
import { ResourceTable } from './ResourceTable';
import { SubscriptionSummary, unsettled, usePollWhile } from './subscription';
import type { Connection, ConnectionType } from './types';
import './integrations.css';

export default function ConnectionPage() {
  const { name = '' } = useParams();
  const { can } = useSession();
  const navigate = useNavigate();
  const loaded = useResource<Connection>(`/api/v1/connections/${seg(name)}`);
  const types = useResource<{ items: ConnectionType[] }>('/api/v1/connection-types');
  const connection = loaded.data;
  const type = types.data?.items.find((t) => t.type === connection?.type);
  const subscribes = type?.keepsSubscription === true;
  const poll = usePollWhile(subscribes && connection !== undefined && unsettled(connection), loaded);
  const [editing, setEditing] = useState(false);
  const [lastTest, setLastTest] = useState<Connection | null>(null);

  if (!connection) {
    return (
      <>
        <PageHeader title={name} subtitle={<Link to="/integrations?tab=connections">← All connections</Link>} />
        <ErrorNotice error={loaded.error} />
        {loaded.loading ? <Loading /> : null}
      </>
    );
  }
  const resourceKinds = triggerResourceKinds(type);
  const changed = (next: Connection) => {
    setEditing(false);
    loaded.reload();
    poll.restart();
    setLastTest(next);
  };

  return (
    <>
      <PageHeader
        title={connection.name}
        subtitle={
          <>
            <Link to="/integrations?tab=connections">Connections</Link> · {type?.title ?? connection.type}
          </>
        }
      >
        {can('write') ? (
          <ActionButton
            busyLabel="Testing…"
            onAction={async () => changed(await api.post<Connection>(`/api/v1/connections/${seg(connection.name)}/test`))}
          >
            Test
          </ActionButton>
        ) : null}
        {can('admin') && type && !editing ? (
          <button type="button" onClick={() => setEditing(true)}>
            Change
          </button>
        ) : null}
        {can('admin') ? (
          <ActionButton
            className="danger"
            busyLabel="Deleting…"
            confirm={deleteQuestion(connection, type)}
            onAction={async () => {
              await api.delete(`/api/v1/connections/${seg(connection.name)}`);
              navigate('/integrations?tab=connections');
            }}
          >
            Delete
          </ActionButton>
        ) : null}
      </PageHeader>
      <ErrorNotice error={loaded.error} />
      <ErrorNotice error={types.error} />
      {lastTest ? (
        <div className={`notice ${lastTest.status === 'ready' ? 'notice-info' : 'notice-error'}`} role="status">
          {lastTest.status !== 'ready'
            ? `Test failed: ${lastTest.error ?? 'no answer'}`
            : lastTest.contacted === false
              ? 'Settings checked here only; nothing was contacted.'
              : 'Test succeeded.'}
        </div>
      ) : null}
      {editing && type ? (
        <EditConnectionForm connection={connection} type={type} onSaved={changed} onCancel={() => setEditing(false)} />
      ) : null}
      <div className="integrations-grid">
        <StateCard connection={connection} />
        <ConfigCard connection={connection} type={type} />
      </div>
      {type?.inbound ? (
        <section className="card" aria-labelledby="inbound-title">
          <h2 id="inbound-title" className="integrations-card-title">
            Inbound webhook URL
          </h2>
          <CopyableUrl url={connection.webhookUrl} />
          <p className="hint">
            {subscribes
              ? `${type.title} delivers subscription events here. Shipline sets the subscription up itself, with its own secret: there is nothing to configure in ${type.title}.`
              : `Paste this URL into ${type.title}'s webhook settings, with the signing secret stored on this connection, and its deliveries become events.`}
          </p>
        </section>
      ) : null}
      {type && subscribes ? (
        <section className="card" aria-labelledby="subscription-title">
          <h2 id="subscription-title" className="integrations-card-title">
            {type.title} subscription
          </h2>
          <SubscriptionSummary
            standalone
            connection={connection}
            provider={type.title}
            timedOut={poll.timedOut}
            onCheckAgain={() => {
              loaded.reload();
              poll.restart();
            }}
          />
        </section>
      ) : null}
      {type && resourceKinds.length > 0 && connection.status === 'ready' ? (
        <section className="card" aria-labelledby="resources-title">
          <h2 id="resources-title" className="integrations-card-title">
            Resources
          </h2>
          <p className="hint">What reactions on this connection can name, as {type.title} lists them now.</p>
          <div className="integrations-grid">
            {resourceKinds.map((kind) => (
              <ResourceTable key={kind} connection={connection.name} kind={kind} provider={type.title} />
            ))}
          </div>
        </section>
      ) : null}
    </>
  );
}

function StateCard({ connection }: { connection: Connection }) {
  const details = Object.entries(connection.details ?? {});
  return (
    <section className="card" aria-labelledby="state-title">
      <h2 id="state-title" className="integrations-card-title">
        State
      </h2>
      <dl className="kv">
        <dt>Status</dt>
        <dd>
          <ConnectionStatus connection={connection} />
        </dd>
        <dt>Last tested</dt>
        <dd>
          <Time iso={connection.checkedAt} />
        </dd>
        {connection.error ? (
          <>
            <dt>Last error</dt>
            <dd className="integrations-error-text">{connection.error}</dd>
          </>
        ) : null}
        {connection.version ? (
          <>
            <dt>Version</dt>
            <dd>{connection.version}</dd>
          </>
        ) : null}
        {connection.space ? (
          <>
            <dt>Space</dt>
            <dd>
              {connection.space.name} <span className="muted">({connection.space.id})</span>
            </dd>
          </>
        ) : null}
        {details.map(([key, value]) => (
          <DetailRow key={key} title={fieldLabel(key)} value={value} />
        ))}
        <dt>Created</dt>
        <dd>
          <Time iso={connection.createdAt} />
        </dd>
        <dt>Changed</dt>
        <dd>
          <Time iso={connection.updatedAt} />
        </dd>
      </dl>
    </section>
  );
}

/** A stored value as people read it: yes/no, "default" for an unset or empty field, JSON for objects. */
function shown(value: unknown) {
  if (value === undefined || value === '') return <span className="muted">default</span>;
  if (value === null) return <span className="muted">—</span>;
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'object') return <JsonView value={value} />;
  return String(value);
}

function DetailRow({ title, value }: { title: string; value: unknown }) {
  return (
    <>
      <dt>{title}</dt>
      <dd>{shown(value)}</dd>
    </>
  );
}

/** Settings as stored; secrets only as set or not (their values never leave the server). */
function ConfigCard({ connection, type }: { connection: Connection; type: ConnectionType | undefined }) {
  const configFields = fieldsOf(type?.config, false);
  const configNames = [...new Set([...configFields.map((f) => f.name), ...Object.keys(connection.config)])];
  // A stored key the type no longer declares has no title: it is labelled from its name.
  const titleOf = (name: string) => {
    const field = configFields.find((f) => f.name === name);
    return field ? fieldTitle(field) : fieldLabel(name);
  };
  const secretFields = fieldsOf(type?.secrets, true);
  const secretState = (name: string, required: boolean) => {
    if (connection.secretsSet) return connection.secretsSet.includes(name) ? 'set' : 'not set';
    // A required secret had to be given for the connection to be saved.
    return required ? 'set' : 'write-only';
  };
  return (
    <section className="card" aria-labelledby="config-title">
      <h2 id="config-title" className="integrations-card-title">
        Settings
      </h2>
      <dl className="kv">
        {configNames.map((key) => (
          <DetailRow key={key} title={titleOf(key)} value={connection.config[key]} />
        ))}
        {secretFields.map((field) => (
          <SecretRow key={field.name} name={field.name} title={fieldTitle(field)} state={secretState(field.name, field.required)} />
        ))}
      </dl>
    </section>
  );
}

function SecretRow({ name, title, state }: { name: string; title: string; state: string }) {
  return (
    <>
      <dt>{title}</dt>
      <dd data-secret={name}>
        <span className={`badge ${state === 'set' ? 'badge-good' : ''}`}>{state}</span>
        {state === 'write-only' ? <span className="hint"> never shown; replace it with Change</span> : null}
      </dd>
    </>
  );
}
