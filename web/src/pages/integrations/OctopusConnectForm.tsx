import { useState } from 'react';
import type { FormEvent } from 'react';
import { ErrorNotice } from '../../components/ui';
import { api, seg } from '../../lib/api';
import type { Connection } from './types';

type Busy = 'test' | 'save' | 'discard' | null;

/**
 * Connects an Octopus server. Octopus is only tested on a saved connection, so Test saves it as a
 * draft with deploy tracking off (nothing is subscribed in Octopus yet) and shows what Octopus
 * answered; Save applies the chosen settings, which sets up the subscription. Discard deletes the draft.
 */
export default function OctopusConnectForm({ onSaved, onCancel }: { onSaved(connection: Connection): void; onCancel?(): void }) {
  const [name, setName] = useState('octopus');
  const [serverUrl, setServerUrl] = useState('');
  const [space, setSpace] = useState('');
  const [apiKey, setApiKey] = useState('');
  const [trackDeploys, setTrackDeploys] = useState(true);
  const [draft, setDraft] = useState<Connection | null>(null);
  const [busy, setBusy] = useState<Busy>(null);
  const [error, setError] = useState<unknown>(null);

  const run = async (kind: Busy, work: () => Promise<void>) => {
    setBusy(kind);
    setError(null);
    try {
      await work();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };

  /** Saves (creating or changing the draft) with these settings; the server tests on every save. */
  const saveAs = async (track: boolean): Promise<Connection> => {
    const config = { serverUrl: serverUrl.trim(), space: space.trim(), trackDeploys: track };
    if (!draft) {
      return api.post<Connection>('/api/v1/connections', { type: 'octopus', name: name.trim(), config, secrets: { apiKey } });
    }
    return api.patch<Connection>(`/api/v1/connections/${seg(draft.name)}`, { config, ...(apiKey ? { secrets: { apiKey } } : {}) });
  };

  const test = () => run('test', async () => setDraft(await saveAs(false)));

  const save = (e: FormEvent) => {
    e.preventDefault();
    void run('save', async () => {
      const saved = await saveAs(trackDeploys);
      setDraft(null);
      setApiKey('');
      onSaved(saved);
    });
  };

  const discard = () => run('discard', async () => {
    if (draft) await api.delete(`/api/v1/connections/${seg(draft.name)}`);
    setDraft(null);
    onCancel?.();
  });

  return (
    <section className="card" aria-labelledby="octopus-connect-title">
      <h2 id="octopus-connect-title" className="integrations-card-title">Connect Octopus Deploy</h2>
      <form className="form" onSubmit={save}>
        <label>Connection name
          <input name="octopus-name" required value={name} disabled={draft !== null} onChange={(e) => setName(e.target.value)} aria-describedby="octopus-name-hint" />
        </label>
        <p className="hint" id="octopus-name-hint">Reactions refer to the connection by this name (lower-case letters, digits, _ and -).</p>
        <label>Server URL
          <input name="octopus-url" type="url" required placeholder="https://my-company.octopus.app" value={serverUrl} onChange={(e) => setServerUrl(e.target.value)} />
        </label>
        <label>Space (optional)
          <input name="octopus-space" placeholder="the default space" value={space} onChange={(e) => setSpace(e.target.value)} aria-describedby="octopus-space-hint" />
        </label>
        <p className="hint" id="octopus-space-hint">A space name or id; empty means the server's default space.</p>
        <label>API key
          <input
            name="octopus-api-key"
            type="password"
            autoComplete="new-password"
            required={draft === null}
            placeholder={draft ? 'leave empty to keep the key you tested' : 'API-…'}
            value={apiKey}
            onChange={(e) => setApiKey(e.target.value)}
            aria-describedby="octopus-key-hint"
          />
        </label>
        <p className="hint" id="octopus-key-hint">Octopus → Profile → My API Keys. Encrypted at rest, sent only as X-Octopus-ApiKey, never shown again.</p>
        <label className="inline">
          <input type="checkbox" name="octopus-track" checked={trackDeploys} onChange={(e) => setTrackDeploys(e.target.checked)} />
          Record every Octopus deployment in the deploy catalog
        </label>
        {draft ? <TestOutcome connection={draft} /> : null}
        <ErrorNotice error={error} />
        <div className="form-row">
          <button type="button" disabled={busy !== null || !serverUrl || (!draft && !apiKey)} aria-busy={busy === 'test'} onClick={() => void test()}>
            {busy === 'test' ? 'Testing…' : 'Test'}
          </button>
          <button type="submit" className="primary" disabled={busy !== null} aria-busy={busy === 'save'}>
            {busy === 'save' ? 'Saving…' : 'Save'}
          </button>
          {draft || onCancel ? (
            <button type="button" disabled={busy !== null} onClick={() => void discard()}>{draft ? (busy === 'discard' ? 'Discarding…' : 'Discard') : 'Cancel'}</button>
          ) : null}
        </div>
        <p className="hint">
          Test saves the connection without subscribing to anything in Octopus. Save applies your settings; Shipline then keeps one Octopus subscription for what it needs.
        </p>
      </form>
    </section>
  );
}

function TestOutcome({ connection }: { connection: Connection }) {
  if (connection.status === 'ready') {
    return (
      <div className="notice notice-info" role="status" data-test-outcome="ready">
        <strong>Test succeeded.</strong> Octopus {connection.version ?? ''}
        {connection.space ? <>, space {connection.space.name}</> : null}.
      </div>
    );
  }
  return (
    <div className="notice notice-error" role="alert" data-test-outcome="error">
      <strong>Test failed.</strong> {connection.error ?? 'Octopus did not answer.'}
    </div>
  );
}
