import { useState } from 'react';
import type { FormEvent } from 'react';
import { ActionButton, Empty, ErrorNotice, Loading, Pager, Time } from '../../components/ui';
import { api, seg } from '../../lib/api';
import { useSession } from '../../lib/session';
import { CommandExample, CopyableUrl } from './command-example';
import { deployCurl } from './curl';
import type { DeployEndpoint } from './types';
import { useListPages } from '../../lib/hooks';

/** Deploy endpoints: the URLs CI pipelines POST deploys to (the URL is the credential). */
export default function DeployEndpointsPanel() {
  const { can } = useSession();
  // Listing needs `write`: endpoint URLs are credentials.
  const list = useListPages<DeployEndpoint>(can('write') ? '/api/v1/deploy-endpoints' : null);
  const [open, setOpen] = useState<string | null>(null);

  if (!can('write')) {
    return <div className="notice notice-info">Deploy endpoint URLs are credentials, so seeing them needs the write role.</div>;
  }
  return (
    <>
      <p className="muted">
        A deploy endpoint is a URL your pipelines POST deploys to, in OpsLevel's format. The URL is the credential: anyone holding it can
        record deploys, so keep it in your CI's secrets.
      </p>
      <CreateEndpoint
        onCreated={(endpoint) => {
          list.reload();
          setOpen(endpoint.id);
        }}
      />
      <ErrorNotice error={list.error} />
      {list.loading && !list.data ? <Loading /> : null}
      {list.data && list.all.length === 0 ? <Empty>No deploy endpoints yet. Create one for each pipeline that deploys.</Empty> : null}
      {list.items.length > 0 ? (
        <div className="table-wrap">
          <table aria-label="Deploy endpoints">
            <thead>
              <tr>
                <th>Name</th>
                <th>URL</th>
                <th className="hide-narrow">Created</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((endpoint) => (
                <EndpointRow
                  key={endpoint.id}
                  endpoint={endpoint}
                  open={open === endpoint.id}
                  onToggle={() => setOpen(open === endpoint.id ? null : endpoint.id)}
                  onDeleted={list.reload}
                />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <Pager {...list} />
    </>
  );
}

function EndpointRow({
  endpoint,
  open,
  onToggle,
  onDeleted,
}: {
  endpoint: DeployEndpoint;
  open: boolean;
  onToggle(): void;
  onDeleted(): void;
}) {
  return (
    <>
      <tr data-endpoint={endpoint.name}>
        <td>{endpoint.name}</td>
        <td className="integrations-url-cell">
          <CopyableUrl url={endpoint.url} />
        </td>
        <td className="hide-narrow">
          <Time iso={endpoint.createdAt} />
        </td>
        <td>
          <div className="integrations-row-actions">
            <button type="button" className="button-small" aria-expanded={open} onClick={onToggle}>
              {open ? 'Hide example' : 'Example'}
            </button>
            <ActionButton
              className="button-small danger"
              confirm={`Delete the deploy endpoint "${endpoint.name}"? Its URL answers 404 from then on; the deploys it recorded stay.`}
              busyLabel="Deleting…"
              onAction={async () => {
                await api.delete(`/api/v1/deploy-endpoints/${seg(endpoint.id)}`);
                onDeleted();
              }}
            >
              Delete
            </ActionButton>
          </div>
        </td>
      </tr>
      {open ? (
        <tr className="integrations-detail-row">
          <td colSpan={4}>
            <CommandExample label={`Record a deploy through ${endpoint.name}`} command={deployCurl(endpoint.url)} />
            <p className="hint">
              Answers 202 once the deploy is stored. <code>service</code>, <code>description</code>, <code>deployed_at</code> and{' '}
              <code>deployer</code> are required; <code>environment</code>, <code>commit</code>, <code>deploy_number</code> and{' '}
              <code>dedup_id</code> are optional.
            </p>
          </td>
        </tr>
      ) : null}
    </>
  );
}

function CreateEndpoint({ onCreated }: { onCreated(endpoint: DeployEndpoint): void }) {
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const created = await api.post<DeployEndpoint>('/api/v1/deploy-endpoints', { name: name.trim() });
      setName('');
      onCreated(created);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="form-row integrations-create" aria-label="New deploy endpoint" onSubmit={(e) => void submit(e)}>
      <label>
        Endpoint name
        <input
          name="endpoint-name"
          required
          maxLength={200}
          value={name}
          placeholder="e.g. github-actions"
          onChange={(e) => setName(e.target.value)}
        />
      </label>
      <button type="submit" className="primary" disabled={busy} aria-busy={busy}>
        {busy ? 'Creating…' : 'Create endpoint'}
      </button>
      <ErrorNotice error={error} />
    </form>
  );
}
