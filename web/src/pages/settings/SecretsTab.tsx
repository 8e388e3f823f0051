import { useRef, useState } from 'react';
import type { RefObject } from 'react';
import { ActionButton, Empty, ErrorNotice, Loading, Pager, Time } from '../../components/ui';
import { api, seg } from '../../lib/api';
import { useListPages } from '../../lib/hooks';
import type { Secret } from './types';
import { useSubmit } from './use-submit';

/** Secrets reactions use as {{ secrets.NAME }}: names only; values go in and never come out. */
export default function SecretsTab() {
  const list = useListPages<Secret>('/api/v1/secrets');
  const [name, setName] = useState('');
  const [hosts, setHosts] = useState('');
  const valueInput = useRef<HTMLInputElement>(null);
  const replace = (secret: Secret) => {
    setName(secret.name);
    setHosts(secret.hosts.join(', '));
    valueInput.current?.focus();
  };
  return (
    <>
      <SetSecret name={name} setName={setName} hosts={hosts} setHosts={setHosts} valueInput={valueInput} onSaved={list.reload} />
      <ErrorNotice error={list.error} />
      {list.loading && !list.data ? <Loading /> : null}
      {list.data && list.all.length === 0 ? <Empty>No secrets yet.</Empty> : null}
      {list.items.length > 0 ? (
        <div className="table-wrap">
          <table aria-label="Secrets">
            <thead>
              <tr>
                <th>Name</th>
                <th>Sent only to</th>
                <th>Changed</th>
                <th className="hide-narrow">Created</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((secret) => (
                <tr key={secret.name} data-secret={secret.name}>
                  <td>
                    <code>{secret.name}</code>
                  </td>
                  <td>
                    {secret.hosts.length > 0 ? (
                      secret.hosts.map((h) => (
                        <span key={h}>
                          <code>{h}</code>{' '}
                        </span>
                      ))
                    ) : (
                      <span className="muted">any host</span>
                    )}
                  </td>
                  <td>
                    <Time iso={secret.updatedAt} />
                  </td>
                  <td className="hide-narrow">
                    <Time iso={secret.createdAt} />
                  </td>
                  <td>
                    <div className="integrations-row-actions">
                      <button type="button" className="button-small" onClick={() => replace(secret)}>
                        Replace value
                      </button>
                      <ActionButton
                        className="button-small danger"
                        busyLabel="Deleting…"
                        confirm={`Delete the secret ${secret.name}? Reactions that use it will fail.`}
                        onAction={async () => {
                          await api.delete(`/api/v1/secrets/${seg(secret.name)}`);
                          list.reload();
                        }}
                      >
                        Delete
                      </ActionButton>
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

/** `api.example.com, *.datadoghq.com` (commas or spaces) as a list. */
function hostList(text: string): string[] {
  return text.split(/[\s,]+/).filter((h) => h !== '');
}

function SetSecret({
  name,
  setName,
  hosts,
  setHosts,
  valueInput,
  onSaved,
}: {
  name: string;
  setName(name: string): void;
  hosts: string;
  setHosts(hosts: string): void;
  valueInput: RefObject<HTMLInputElement | null>;
  onSaved(): void;
}) {
  const [value, setValue] = useState('');
  const [saved, setSaved] = useState<string | null>(null);
  const submit = useSubmit(async () => {
    setSaved(null);
    const secret = await api.put<Secret>(`/api/v1/secrets/${seg(name.trim())}`, { value, hosts: hostList(hosts) });
    setValue('');
    setName('');
    setHosts('');
    setSaved(secret.name);
    onSaved();
  });
  return (
    <section className="card" aria-labelledby="set-secret-title">
      <h2 id="set-secret-title" className="integrations-card-title">
        Set a secret
      </h2>
      <form className="form-row" onSubmit={submit.onSubmit}>
        <label>
          Secret name
          <input
            name="secret-name"
            required
            placeholder="SLACK_TOKEN"
            autoComplete="off"
            spellCheck={false}
            value={name}
            onChange={(e) => setName(e.target.value.toUpperCase())}
          />
        </label>
        <label>
          Value
          {/* Write-only: a password input, never filled from or saved to the browser's password store. */}
          <input
            ref={valueInput}
            name="secret-value"
            type="password"
            required
            autoComplete="new-password"
            value={value}
            onChange={(e) => setValue(e.target.value)}
          />
        </label>
        <label>
          Sent only to (optional)
          <input
            name="secret-hosts"
            placeholder="api.example.com, *.datadoghq.com"
            autoComplete="off"
            spellCheck={false}
            value={hosts}
            onChange={(e) => setHosts(e.target.value)}
          />
        </label>
        <button type="submit" className="primary" disabled={submit.busy} aria-busy={submit.busy}>
          {submit.busy ? 'Saving…' : 'Save secret'}
        </button>
      </form>
      <p className="hint">
        Names are A–Z, 0–9 and _. Reactions use a secret as <code>{'{{ secrets.NAME }}'}</code>. Setting an existing name replaces its value
        (and its hosts). Values are encrypted at rest and never shown; runs and previews show <code>«secret:NAME»</code> instead. With
        hosts, a step using the secret may send requests only to them; without, a reaction author can send it to any host Shipline may
        reach.
      </p>
      <ErrorNotice error={submit.error} />
      {saved ? (
        <div className="notice notice-info" role="status">
          Saved {saved}.
        </div>
      ) : null}
    </section>
  );
}
