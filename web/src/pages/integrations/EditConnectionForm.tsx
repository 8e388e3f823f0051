import { useState } from 'react';
import type { FormEvent } from 'react';
import { ErrorNotice } from '../../components/ui';
import { api, seg } from '../../lib/api';
import { ConnectionFields, fieldsOf, valuesFromConfig, valuesToSend } from './connection-fields';
import type { FieldValues } from './connection-fields';
import type { Connection, ConnectionType } from './types';

/** Changes a connection's settings or replaces secrets; the server tests it again on save. */
export default function EditConnectionForm({
  connection,
  type,
  onSaved,
  onCancel,
}: {
  connection: Connection;
  type: ConnectionType;
  onSaved(connection: Connection): void;
  onCancel(): void;
}) {
  const configFields = fieldsOf(type.config, false);
  const secretFields = fieldsOf(type.secrets, true);
  const [config, setConfig] = useState<FieldValues>(() => valuesFromConfig(connection.config));
  const [secrets, setSecrets] = useState<FieldValues>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const newSecrets = valuesToSend(secretFields, secrets);
      const newConfig = valuesToSend(configFields, config);
      // A stored setting emptied in the form is removed (null), not kept.
      for (const field of configFields) {
        if ((config[field.name] ?? '') === '' && connection.config[field.name] !== undefined) newConfig[field.name] = null;
      }
      const saved = await api.patch<Connection>(`/api/v1/connections/${seg(connection.name)}`, {
        config: newConfig,
        ...(Object.keys(newSecrets).length > 0 ? { secrets: newSecrets } : {}),
      });
      onSaved(saved);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="edit-connection-title">
      <h2 id="edit-connection-title" className="integrations-card-title">
        Change {connection.name}
      </h2>
      <form className="form" onSubmit={(e) => void submit(e)}>
        {configFields.length > 0 ? (
          <fieldset className="integrations-fieldset">
            <legend>Settings</legend>
            <ConnectionFields fields={configFields} values={config} onChange={setConfig} keep />
          </fieldset>
        ) : null}
        {secretFields.length > 0 ? (
          <fieldset className="integrations-fieldset">
            <legend>Replace secrets</legend>
            <p className="hint">Stored secrets are never shown. Leave a field empty to keep what is stored.</p>
            <ConnectionFields fields={secretFields} values={secrets} onChange={setSecrets} keep />
          </fieldset>
        ) : null}
        <ErrorNotice error={error} />
        <div className="form-row">
          <button type="submit" className="primary" disabled={busy} aria-busy={busy}>
            {busy ? 'Saving and testing…' : 'Save and test'}
          </button>
          <button type="button" onClick={onCancel} disabled={busy}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}
