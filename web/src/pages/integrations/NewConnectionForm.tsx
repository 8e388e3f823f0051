import { useState } from 'react';
import type { FormEvent } from 'react';
import { Link } from 'react-router';
import { ErrorNotice } from '../../components/ui';
import { api, seg } from '../../lib/api';
import { ConnectionFields, fieldsOf, valuesToSend } from './connection-fields';
import type { FieldValues } from './connection-fields';
import { ProbeOutcome } from './probe-outcome';
import type { Connection, ConnectionProbe, ConnectionType } from './types';

type Busy = 'test' | 'save' | null;

/**
 * A new connection of any type, with the inputs its declared config and secret fields describe.
 * Test checks the settings with the provider without saving them (so nothing is set up there);
 * the server also tests the connection as it saves it. Either outcome is shown. With `only`, the
 * form is for that one type (no type to choose).
 */
export default function NewConnectionForm({
  types,
  typesError,
  only,
  onCreated,
  onCancel,
}: {
  types: ConnectionType[];
  typesError?: unknown;
  only?: ConnectionType;
  onCreated(connection: Connection): void;
  onCancel?(): void;
}) {
  const choices = only ? [only] : types;
  const [typeName, setTypeName] = useState(only?.type ?? '');
  const [name, setName] = useState(only?.type ?? '');
  const [config, setConfig] = useState<FieldValues>({});
  const [secrets, setSecrets] = useState<FieldValues>({});
  const [busy, setBusy] = useState<Busy>(null);
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<Connection | null>(null);
  // Settings tested but not saved; cleared whenever they change, as it no longer speaks of them.
  const [outcome, setOutcome] = useState<ConnectionProbe | null>(null);
  const type = choices.find((t) => t.type === typeName);
  const configFields = fieldsOf(type?.config, false);
  const secretFields = fieldsOf(type?.secrets, true);

  const choose = (next: string) => {
    setTypeName(next);
    setConfig({});
    setSecrets({});
    setError(null);
    setOutcome(null);
    if (!name || name === typeName) setName(next);
  };

  const editConfig = (values: FieldValues) => {
    setConfig(values);
    setOutcome(null);
  };
  const editSecrets = (values: FieldValues) => {
    setSecrets(values);
    setOutcome(null);
  };

  const body = (chosen: ConnectionType) => ({
    type: chosen.type,
    name: name.trim(),
    config: valuesToSend(configFields, config),
    secrets: valuesToSend(secretFields, secrets),
  });

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

  const test = () =>
    run('test', async () => {
      if (!type) return;
      setOutcome(null);
      setOutcome(await api.post<ConnectionProbe>('/api/v1/connections/test', body(type)));
    });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!type) return;
    void run('save', async () => {
      const connection = await api.post<Connection>('/api/v1/connections', body(type));
      setCreated(connection);
      setOutcome(null);
      // Ready for the next one; the notice above links to the one just saved.
      setTypeName(only?.type ?? '');
      setName(only?.type ?? '');
      setConfig({});
      setSecrets({});
      onCreated(connection);
    });
  };

  return (
    <section className="card" aria-labelledby="new-connection-title">
      <h2 id="new-connection-title" className="integrations-card-title">
        {only ? `Connect ${only.title}` : 'New connection'}
      </h2>
      <ErrorNotice error={typesError} />
      {created ? (
        <div className={`notice ${created.status === 'ready' ? 'notice-info' : 'notice-error'}`} role="status">
          Saved <Link to={`/integrations/connections/${seg(created.name)}`}>{created.name}</Link>.{' '}
          {created.status === 'ready'
            ? 'The test succeeded.'
            : `The test failed: ${created.error ?? 'no answer'}. Fix it on the connection's page.`}
        </div>
      ) : null}
      <form className="form" onSubmit={submit}>
        {only ? null : (
          <label>
            Type
            <select name="connection-type" required value={typeName} onChange={(e) => choose(e.target.value)}>
              <option value="">Choose a system…</option>
              {choices.map((t) => (
                <option key={t.type} value={t.type}>
                  {t.title}
                </option>
              ))}
            </select>
          </label>
        )}
        {type ? (
          <>
            {only ? null : <p className="muted">{type.description}</p>}
            <label>
              Connection name
              <input
                name="connection-name"
                required
                value={name}
                onChange={(e) => setName(e.target.value)}
                aria-describedby="connection-name-hint"
              />
            </label>
            <p className="hint" id="connection-name-hint">
              Lower-case letters, digits, _ and -; reactions refer to the connection by this name.
            </p>
            {configFields.length > 0 ? (
              <fieldset className="integrations-fieldset">
                <legend>Settings</legend>
                <ConnectionFields fields={configFields} values={config} onChange={editConfig} />
              </fieldset>
            ) : null}
            {secretFields.length > 0 ? (
              <fieldset className="integrations-fieldset">
                <legend>Secrets</legend>
                <p className="hint">Encrypted at rest and never shown again.</p>
                <ConnectionFields fields={secretFields} values={secrets} onChange={editSecrets} />
              </fieldset>
            ) : null}
          </>
        ) : null}
        {outcome ? <ProbeOutcome outcome={outcome} /> : null}
        <ErrorNotice error={error} />
        <div className="form-row">
          <button type="button" disabled={!type || busy !== null} aria-busy={busy === 'test'} onClick={() => void test()}>
            {busy === 'test' ? 'Testing…' : 'Test'}
          </button>
          <button type="submit" className="primary" disabled={!type || busy !== null} aria-busy={busy === 'save'}>
            {busy === 'save' ? 'Saving and testing…' : 'Save and test'}
          </button>
          {onCancel ? (
            <button type="button" onClick={onCancel}>
              {only ? 'Cancel' : 'Close'}
            </button>
          ) : null}
        </div>
      </form>
    </section>
  );
}
