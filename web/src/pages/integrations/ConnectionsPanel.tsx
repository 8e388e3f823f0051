import { useState } from 'react';
import { Link } from 'react-router';
import { ActionButton, Empty, ErrorNotice, Loading, Pager, Time } from '../../components/ui';
import { api, seg } from '../../lib/api';
import { useListPages, useResource } from '../../lib/hooks';
import { useSession } from '../../lib/session';
import { ConnectionStatus, deleteQuestion } from './connection-status';
import NewConnectionForm from './NewConnectionForm';
import { SubscriptionBadge } from './subscription-badge';
import type { Connection, ConnectionType } from './types';

/** Every connection, of every type, with its state (and its subscription, for types that keep one); a form to add one. */
export default function ConnectionsPanel() {
  const { can } = useSession();
  const list = useListPages<Connection>('/api/v1/connections');
  const types = useResource<{ items: ConnectionType[] }>('/api/v1/connection-types');
  const [adding, setAdding] = useState(false);
  const typeOf = (type: string) => types.data?.items.find((t) => t.type === type);
  const titleOf = (type: string) => typeOf(type)?.title ?? type;

  return (
    <>
      <div className="integrations-toolbar">
        <p className="muted">Connections hold the address and credentials of another system; reactions use them by name.</p>
        {can('admin') && !adding ? (
          <button type="button" className="primary" onClick={() => setAdding(true)}>
            New connection
          </button>
        ) : null}
      </div>
      {adding ? (
        <NewConnectionForm
          types={types.data?.items ?? []}
          typesError={types.error}
          onCancel={() => setAdding(false)}
          onCreated={() => list.reload()}
        />
      ) : null}
      <ErrorNotice error={list.error} />
      {list.loading && !list.data ? <Loading /> : null}
      {list.data && list.all.length === 0 ? <Empty>No connections yet.</Empty> : null}
      {list.items.length > 0 ? (
        <div className="table-wrap">
          <table aria-label="Connections">
            <thead>
              <tr>
                <th>Name</th>
                <th>Type</th>
                <th>State</th>
                <th className="hide-narrow">Last tested</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((connection) => (
                <tr key={connection.id} data-connection={connection.name}>
                  <td>
                    <Link to={`/integrations/connections/${seg(connection.name)}`}>{connection.name}</Link>
                  </td>
                  <td>{titleOf(connection.type)}</td>
                  <td>
                    <ConnectionStatus connection={connection} />
                    {typeOf(connection.type)?.keepsSubscription ? (
                      <>
                        {' '}
                        <SubscriptionBadge connection={connection} />
                      </>
                    ) : null}
                    {connection.error ? <div className="hint integrations-error-text">{connection.error}</div> : null}
                  </td>
                  <td className="hide-narrow">
                    <Time iso={connection.checkedAt} />
                  </td>
                  <td>
                    <div className="integrations-row-actions">
                      {can('write') ? (
                        <ActionButton
                          className="button-small"
                          busyLabel="Testing…"
                          onAction={async () => {
                            await api.post<Connection>(`/api/v1/connections/${seg(connection.name)}/test`);
                            list.reload();
                          }}
                        >
                          Test
                        </ActionButton>
                      ) : null}
                      {can('admin') ? (
                        <ActionButton
                          className="button-small danger"
                          busyLabel="Deleting…"
                          confirm={deleteQuestion(connection, typeOf(connection.type))}
                          onAction={async () => {
                            await api.delete(`/api/v1/connections/${seg(connection.name)}`);
                            list.reload();
                          }}
                        >
                          Delete
                        </ActionButton>
                      ) : null}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <Pager {...list} />
    </>
  );
}
