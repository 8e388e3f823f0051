import { useState } from 'react';
import { ActionButton } from '../../components/ui';
import { api, seg } from '../../lib/api';
import { useSession } from '../../lib/session';
import type { Service } from '../../lib/types';

/** The names deploys may use for the service; adding one attaches its earlier deploys. */
export function ServiceAliases({ service, onChanged }: { service: Service; onChanged(service: Service): void }) {
  const { can } = useSession();
  const [alias, setAlias] = useState('');
  const add = async () => {
    const updated = await api.post<Service>(`/api/v1/services/${seg(service.id)}/aliases`, { alias: alias.trim() });
    setAlias('');
    onChanged(updated);
  };
  return (
    <section aria-labelledby="service-aliases" className="card">
      <h2 id="service-aliases" className="catalog-card-title">
        Aliases
      </h2>
      <ul className="catalog-chips catalog-plain-list" aria-label="Aliases">
        {service.aliases.map((a) => (
          <li key={a} className="badge">
            {a}
            {a === service.name ? ' (name)' : ''}
          </li>
        ))}
      </ul>
      {can('write') ? (
        <form className="form-row" aria-label="Add an alias" onSubmit={(e) => e.preventDefault()}>
          <label>
            New alias
            <input name="alias" value={alias} maxLength={200} autoComplete="off" onChange={(e) => setAlias(e.target.value)} />
          </label>
          <ActionButton disabled={!alias.trim()} onAction={add} busyLabel="Adding…">
            Add alias
          </ActionButton>
        </form>
      ) : null}
    </section>
  );
}
