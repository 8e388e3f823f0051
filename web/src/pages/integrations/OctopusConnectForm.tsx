import { useState } from 'react';
import type { FormEvent } from 'react';
import { ErrorNotice } from '../../components/ui';
import { api } from '../../lib/api';
import { ProbeOutcome } from './probe-outcome';
import type { Connection, ConnectionProbe } from './types';

type Busy = 'test' | 'save' | null;

/**
 * Connects an Octopus server. Test asks Octopus about these settings without saving anything
 * (so nothing is subscribed to); Save creates the connection, which sets up the subscription.
 */
export default function OctopusConnectForm({ onSaved, onCancel }: { onSaved(connection: Connection): void; onCancel?(): void }) {
  const [name, setName] = useState('octopus');
  const [serverUrl, setServerUrl] = useState('');
  const [space, setSpace] = useState('');
  const [apiKey, setApiKey] = useState('');
  const [trackDeploys, setTrackDeploys] = useState(true);
  const [outcome, setOutcome] = useState<ConnectionProbe | null>(null);
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

  /** A test outcome speaks of the settings it tested: changing them makes it stale. */
  const edit = (set: (value: string) => void, value: string) => {
    set(value);
    setOutcome(null);
  };

  const body = () => ({
    type: 'octopus',
    name: name.trim(),
    config: { serverUrl: serverUrl.trim(), space: space.trim(), trackDeploys },
    secrets: { apiKey },
  });

  const test = () =>
    run('test', async () => {
      setOutcome(null);
      setOutcome(await api.post<ConnectionProbe>('/api/v1/connections/test', body()));
    });

  const save = (e: FormEvent) => {
    e.preventDefault();
    void run('save', async () => {
      const saved = await api.post<Connection>('/api/v1/connections', body());
      setApiKey('');
      setOutcome(null);
      onSaved(saved);
    });
  };

  return (
    <section className="card" aria-labelledby="octopus-connect-title">
      <h2 id="octopus-connect-title" className="integrations-card-title">
        Connect Octopus Deploy
      </h2>
      <form className="form" onSubmit={save}>
        <label>
          Connection name
          <input name="octopus-name" required value={name} onChange={(e) => setName(e.target.value)} aria-describedby="octopus-name-hint" />
        </label>
        <p className="hint" id="octopus-name-hint">
          Reactions refer to the connection by this name (lower-case letters, digits, _ and -).
        </p>
        <label>
          Server URL
          <input
            name="octopus-url"
            type="url"
            required
            placeholder="https://my-company.octopus.app"
            value={serverUrl}
            onChange={(e) => edit(setServerUrl, e.target.value)}
          />
        </label>
        <label>
          Space (optional)
          <input
            name="octopus-space"
            placeholder="the default space"
            value={space}
            onChange={(e) => edit(setSpace, e.target.value)}
            aria-describedby="octopus-space-hint"
          />
        </label>
        <p className="hint" id="octopus-space-hint">
          A space name or id; empty means the server's default space.
        </p>
        <label>
          API key
          <input
            name="octopus-api-key"
            type="password"
            autoComplete="new-password"
            required
            placeholder="API-…"
            value={apiKey}
            onChange={(e) => edit(setApiKey, e.target.value)}
            aria-describedby="octopus-key-hint"
          />
        </label>
        <p className="hint" id="octopus-key-hint">
          Octopus → Profile → My API Keys. Encrypted at rest, sent only as X-Octopus-ApiKey, never shown again.
        </p>
        <label className="inline">
          <input type="checkbox" name="octopus-track" checked={trackDeploys} onChange={(e) => setTrackDeploys(e.target.checked)} />
          Record every Octopus deployment in the deploy catalog
        </label>
        {outcome ? <ProbeOutcome outcome={outcome} type="octopus" /> : null}
        <ErrorNotice error={error} />
        <div className="form-row">
          <button
            type="button"
            disabled={busy !== null || !serverUrl.trim() || !apiKey}
            aria-busy={busy === 'test'}
            onClick={() => void test()}
          >
            {busy === 'test' ? 'Testing…' : 'Test'}
          </button>
          <button type="submit" className="primary" disabled={busy !== null} aria-busy={busy === 'save'}>
            {busy === 'save' ? 'Saving…' : 'Save'}
          </button>
          {onCancel ? (
            <button type="button" disabled={busy !== null} onClick={onCancel}>
              Cancel
            </button>
          ) : null}
        </div>
      </form>
    </section>
  );
}
