import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { Empty, ErrorNotice, Loading, PageHeader, Pager, Time } from '../../components/ui';
import { seg } from '../../lib/api';
import { usePaged, useResource } from '../../lib/hooks';
import { useSession } from '../../lib/session';
import type { Service } from '../../lib/types';
import type { Suggestion } from './catalog-types';
import { NewServiceForm } from './service-form';
import './services.css';

function Chips({ values, empty = '—' }: { values: string[]; empty?: string }) {
  if (values.length === 0) return <span className="muted">{empty}</span>;
  return (
    <span className="catalog-chips">
      {values.map((v) => (
        <span key={v} className="badge">
          {v}
        </span>
      ))}
    </span>
  );
}

export default function ServicesPage() {
  const { can } = useSession();
  const navigate = useNavigate();
  const [creating, setCreating] = useState(false);
  const list = usePaged<Service>('/api/v1/services');
  const suggestions = useResource<{ items: Suggestion[] }>('/api/v1/suggestions');
  const waiting = suggestions.data?.items.length ?? 0;

  return (
    <>
      <PageHeader title="Services" subtitle="What you deploy, with the other names deploys use for it.">
        {can('write') && !creating ? (
          <button type="button" className="primary" onClick={() => setCreating(true)}>
            New service
          </button>
        ) : null}
      </PageHeader>
      {waiting > 0 ? (
        <p className="notice notice-info">
          {waiting === 1 ? 'One alias has' : `${waiting} aliases have`} deploys but no service.{' '}
          <Link to="/suggestions">Review the suggestions</Link>
        </p>
      ) : null}
      {creating ? <NewServiceForm onCancel={() => setCreating(false)} onCreated={(s) => navigate(`/services/${seg(s.id)}`)} /> : null}
      <ErrorNotice error={list.error} />
      {list.loading && list.items.length === 0 ? <Loading /> : null}
      {!list.loading && !list.error && list.items.length === 0 ? (
        <Empty>
          No services yet. Create one, or accept a <Link to="/suggestions">suggestion</Link> once deploys arrive.
        </Empty>
      ) : null}
      {list.items.length > 0 ? (
        <div className="table-wrap">
          <table aria-label="Services">
            <thead>
              <tr>
                <th>Name</th>
                <th>Aliases</th>
                <th>Owner</th>
                <th className="hide-narrow">Tags</th>
                <th className="hide-narrow">Description</th>
                <th className="hide-narrow">Created</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((service) => (
                <tr key={service.id}>
                  <td>
                    <Link to={`/services/${seg(service.id)}`}>{service.name}</Link>
                  </td>
                  <td>
                    <Chips values={service.aliases.filter((a) => a !== service.name)} />
                  </td>
                  <td>{service.owner || <span className="muted">—</span>}</td>
                  <td className="hide-narrow">
                    <Chips values={service.tags} />
                  </td>
                  <td className="hide-narrow">{service.description || <span className="muted">—</span>}</td>
                  <td className="hide-narrow">
                    <Time iso={service.createdAt} />
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
