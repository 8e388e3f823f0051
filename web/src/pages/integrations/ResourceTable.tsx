import { useState } from 'react';
import { Empty, ErrorNotice, Loading, Pager } from '../../components/ui';
import { seg } from '../../lib/api';
import { fieldLabel } from './connection-fields';
import type { Resource } from './types';
import { useListPages } from '../../lib/hooks';

/** What the connection sees at the provider (`provider`, its title) of one kind, as it lists them now, with a filter by name. */
export function ResourceTable({ connection, kind, provider }: { connection: string; kind: string; provider: string }) {
  const [search, setSearch] = useState('');
  const needle = search.trim().toLowerCase();
  const list = useListPages<Resource>(
    `/api/v1/connections/${seg(connection)}/resources/${kind}`,
    (r) => !needle || r.name.toLowerCase().includes(needle),
  );
  const label = fieldLabel(kind);
  return (
    <section aria-labelledby={`resources-${kind}`}>
      <h3 id={`resources-${kind}`}>{label}</h3>
      <label className="integrations-search">
        Filter {label.toLowerCase()}
        <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="name contains…" />
      </label>
      <ErrorNotice error={list.error} />
      {list.loading && !list.data ? <Loading label={`Asking ${provider} for its ${label.toLowerCase()}…`} /> : null}
      {list.data && list.all.length === 0 ? (
        <Empty>{needle ? `No ${label.toLowerCase()} match.` : `${provider} lists no ${label.toLowerCase()}.`}</Empty>
      ) : null}
      {list.items.length > 0 ? (
        <div className="table-wrap">
          <table aria-label={`${provider} ${label.toLowerCase()}`}>
            <thead>
              <tr>
                <th>Name</th>
                <th className="hide-narrow">Id</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((r) => (
                <tr key={r.id}>
                  <td>{r.name}</td>
                  <td className="hide-narrow mono">{r.id}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <Pager {...list} />
    </section>
  );
}
