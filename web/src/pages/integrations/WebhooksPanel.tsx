import { useState } from 'react';
import type { FormEvent } from 'react';
import { ActionButton, CopyButton, Empty, ErrorNotice, Loading, Pager, Time } from '../../components/ui';
import { api, seg } from '../../lib/api';
import { useSession } from '../../lib/session';
import { CommandExample, CopyableUrl } from './command-example';
import { AUTH_LABEL, webhookCurl } from './curl';
import type { Webhook, WebhookAuthType, WebhookCreated } from './types';
import { useListPages } from '../../lib/hooks';

/** External webhooks: any system POSTs to /hooks/<name> and each delivery becomes a `webhook.<name>` event. */
export default function WebhooksPanel() {
  const { can } = useSession();
  const list = useListPages<Webhook>(can('admin') ? '/api/v1/webhooks' : null);
  const [created, setCreated] = useState<WebhookCreated | null>(null);
  const [open, setOpen] = useState<string | null>(null);

  if (!can('admin')) {
    return <div className="notice notice-info">Webhook endpoints are managed by admins.</div>;
  }
  return (
    <>
      <p className="muted">
        Give a webhook's URL to any system that can send an HTTP POST. Every authenticated delivery is stored as an event of type{' '}
        <code>webhook.&lt;name&gt;</code> that reactions can act on.
      </p>
      <CreateWebhook
        onCreated={(hook) => {
          setCreated(hook);
          list.reload();
        }}
      />
      {created ? <CreatedWebhook hook={created} onDone={() => setCreated(null)} /> : null}
      <ErrorNotice error={list.error} />
      {list.loading && !list.data ? <Loading /> : null}
      {list.data && list.all.length === 0 ? <Empty>No webhook endpoints yet.</Empty> : null}
      {list.items.length > 0 ? (
        <div className="table-wrap">
          <table aria-label="Webhook endpoints">
            <thead>
              <tr>
                <th>Name</th>
                <th>URL</th>
                <th className="hide-narrow">Verification</th>
                <th className="hide-narrow">Created</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((hook) => (
                <WebhookRow
                  key={hook.name}
                  hook={hook}
                  open={open === hook.name}
                  onToggle={() => setOpen(open === hook.name ? null : hook.name)}
                  onDeleted={() => {
                    if (created?.name === hook.name) setCreated(null);
                    list.reload();
                  }}
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

function WebhookRow({ hook, open, onToggle, onDeleted }: { hook: Webhook; open: boolean; onToggle(): void; onDeleted(): void }) {
  return (
    <>
      <tr data-webhook={hook.name}>
        <td>
          <code>{hook.name}</code>
          <div className="hint">
            event <code>webhook.{hook.name}</code>
          </div>
        </td>
        <td className="integrations-url-cell">
          <CopyableUrl url={hook.url} />
        </td>
        <td className="hide-narrow">
          {AUTH_LABEL[hook.auth.type]}
          {hook.auth.header ? <div className="hint">header {hook.auth.header}</div> : null}
        </td>
        <td className="hide-narrow">
          <Time iso={hook.createdAt} />
        </td>
        <td>
          <div className="integrations-row-actions">
            <button type="button" className="button-small" aria-expanded={open} onClick={onToggle}>
              {open ? 'Hide example' : 'Example'}
            </button>
            <ActionButton
              className="button-small danger"
              confirm={`Delete the webhook "${hook.name}"? Its URL answers 404 from then on; its events stay.`}
              busyLabel="Deleting…"
              onAction={async () => {
                await api.delete(`/api/v1/webhooks/${seg(hook.name)}`);
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
          <td colSpan={5}>
            <CommandExample label={`Send a delivery to ${hook.name}`} command={webhookCurl(hook)} />
          </td>
        </tr>
      ) : null}
    </>
  );
}

/** The key or secret exists in this answer only: shown once, with a ready-to-run command. */
function CreatedWebhook({ hook, onDone }: { hook: WebhookCreated; onDone(): void }) {
  const credential = hook.key ?? hook.secret;
  return (
    <section className="card integrations-once" aria-label={`Webhook ${hook.name} created`}>
      <h3>Webhook {hook.name} created</h3>
      <dl className="kv">
        <dt>URL</dt>
        <dd>
          <CopyableUrl url={hook.url} />
        </dd>
        {credential ? (
          <>
            <dt>{hook.key ? 'Key' : 'Signing secret'}</dt>
            <dd>
              <span className="integrations-url">
                <code>{credential}</code>
                <CopyButton text={credential} label={hook.key ? 'Copy key' : 'Copy secret'} />
              </span>
            </dd>
          </>
        ) : null}
      </dl>
      <p className="notice notice-warn">
        This is the only time the {hook.key ? 'key' : 'secret'} is shown. Store it in the sending system now.
      </p>
      <CommandExample label={`Send a delivery to ${hook.name}`} command={webhookCurl(hook, credential)} />
      <button type="button" onClick={onDone}>
        Done
      </button>
    </section>
  );
}

function CreateWebhook({ onCreated }: { onCreated(hook: WebhookCreated): void }) {
  const [name, setName] = useState('');
  const [type, setType] = useState<WebhookAuthType>('api_key');
  const [header, setHeader] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const auth = { type, ...(type === 'hmac_sha256' && header.trim() ? { header: header.trim() } : {}) };
      onCreated(await api.post<WebhookCreated>('/api/v1/webhooks', { name: name.trim(), auth }));
      setName('');
      setHeader('');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="form-row integrations-create" aria-label="New webhook endpoint" onSubmit={(e) => void submit(e)}>
      <label>
        Webhook name
        <input name="webhook-name" required value={name} placeholder="e.g. nightly-tests" onChange={(e) => setName(e.target.value)} />
      </label>
      <label>
        Verification
        <select name="webhook-auth" value={type} onChange={(e) => setType(e.target.value as WebhookAuthType)}>
          {(Object.keys(AUTH_LABEL) as WebhookAuthType[]).map((t) => (
            <option key={t} value={t}>
              {AUTH_LABEL[t]}
            </option>
          ))}
        </select>
      </label>
      {type === 'hmac_sha256' ? (
        <label>
          Signature header (optional)
          <input name="webhook-header" value={header} placeholder="X-Hub-Signature-256" onChange={(e) => setHeader(e.target.value)} />
        </label>
      ) : null}
      <button type="submit" className="primary" disabled={busy} aria-busy={busy}>
        {busy ? 'Creating…' : 'Create webhook'}
      </button>
      <ErrorNotice error={error} />
    </form>
  );
}
