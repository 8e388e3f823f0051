import { useState } from 'react';
import type { FormEvent } from 'react';
import { Link } from 'react-router';
import { ErrorNotice } from '../../components/ui';
import { api, seg } from '../../lib/api';
import { ConnectionFields, fieldsOf, valuesToSend } from './connection-fields';
import type { FieldValues } from './connection-fields';
import type { Connection, ConnectionType } from './types';

/**
 * A connection of any type but Octopus (which has its own form, for its subscription), with the
 * inputs the type's manifest lists. The server tests it as it saves it; the outcome is shown.
 */
export default function NewConnectionForm({ types, typesError, onCreated, onCancel }: {
  types: ConnectionType[]; typesError: unknown; onCreated(connection: Connection): void; onCancel(): void;
}) {
  const choices = types.filter((t) => t.type !== 'octopus');
  const [typeName, setTypeName] = useState('');
  const [name, setName] = useState('');
  const [config, setConfig] = useState<FieldValues>({});
  const [secrets, setSecrets] = useState<FieldValues>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<Connection | null>(null);
  const type = choices.find((t) => t.type === typeName);
  const configFields = fieldsOf(type?.config, false);
  const secretFields = fieldsOf(type?.secrets, true);

  const choose = (next: string) => {
    setTypeName(next);
    setConfig({});
    setSecrets({});
    setError(null);
    if (!name || name === typeName) setName(next);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!type) return;
    setBusy(true);
    setError(null);
    try {
      const connection = await api.post<Connection>('/api/v1/connections', {
        type: type.type, name: name.trim(), config: valuesToSend(configFields, config), secrets: valuesToSend(secretFields, secrets),
      });
      setCreated(connection);
      // Ready for the next one; the notice above links to the one just saved.
      setTypeName('');
      setName('');
      setConfig({});
      setSecrets({});
      onCreated(connection);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="new-connection-title">
      <h2 id="new-connection-title" className="integrations-card-title">New connection</h2>
      <ErrorNotice error={typesError} />
      {created ? (
        <div className={`notice ${created.status === 'ready' ? 'notice-info' : 'notice-error'}`} role="status">
          Saved <Link to={`/integrations/connections/${seg(created.name)}`}>{created.name}</Link>.{' '}
          {created.status === 'ready' ? 'The test succeeded.' : `The test failed: ${created.error ?? 'no answer'}. Fix it on the connection's page.`}
        </div>
      ) : null}
      <form className="form" onSubmit={(e) => void submit(e)}>
        <label>Type
          <select name="connection-type" required value={typeName} onChange={(e) => choose(e.target.value)}>
            <option value="">Choose a system…</option>
            {choices.map((t) => <option key={t.type} value={t.type}>{t.title}</option>)}
          </select>
        </label>
        <p className="hint">Octopus Deploy is connected on the Octopus tab, which also sets up its subscription.</p>
        {type ? (
          <>
            <p className="muted">{type.description}</p>
            <label>Connection name<input name="connection-name" required value={name} onChange={(e) => setName(e.target.value)} aria-describedby="connection-name-hint" /></label>
            <p className="hint" id="connection-name-hint">Lower-case letters, digits, _ and -; reactions refer to the connection by this name.</p>
            {configFields.length > 0 ? <fieldset className="integrations-fieldset"><legend>Settings</legend><ConnectionFields fields={configFields} values={config} onChange={setConfig} /></fieldset> : null}
            {secretFields.length > 0 ? (
              <fieldset className="integrations-fieldset">
                <legend>Secrets</legend>
                <p className="hint">Encrypted at rest and never shown again.</p>
                <ConnectionFields fields={secretFields} values={secrets} onChange={setSecrets} />
              </fieldset>
            ) : null}
          </>
        ) : null}
        <ErrorNotice error={error} />
        <div className="form-row">
          <button type="submit" className="primary" disabled={!type || busy} aria-busy={busy}>{busy ? 'Saving and testing…' : 'Save and test'}</button>
          <button type="button" onClick={onCancel}>Close</button>
        </div>
      </form>
    </section>
  );
}
