import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ActionButton, Empty, ErrorNotice, Loading, PageHeader, Pager, StatusBadge, Time } from '../../components/ui';
import { api, seg } from '../../lib/api';
import { usePaged, useResource } from '../../lib/hooks';
import { useSession } from '../../lib/session';
import type { Deploy, Service } from '../../lib/types';
import { deployerLabel, shortSha } from '../deploys/deploy-view';
import { ServiceAliases } from './service-aliases';
import { EditServiceForm } from './service-edit';
import { ServiceEnvironments } from './service-environments';
import { ServiceTimeline } from './service-timeline';
import './services.css';

function RecentDeploys({ service }: { service: Service }) {
  const list = usePaged<Deploy>('/api/v1/deploys', { service: service.id }, 20);
  return (
    <section aria-labelledby="service-deploys">
      <div className="catalog-section-head">
        <h2 id="service-deploys">Recent deploys</h2>
        <Link to={`/deploys?service=${seg(service.name)}`}>All in the deploy list</Link>
      </div>
      <ErrorNotice error={list.error} />
      {list.loading && list.items.length === 0 ? <Loading /> : null}
      {!list.loading && !list.error && list.items.length === 0 ? <Empty>No deploys yet.</Empty> : null}
      {list.items.length > 0 ? (
        <div className="table-wrap">
          <table aria-label={`Recent deploys of ${service.name}`}>
            <thead>
              <tr>
                <th>When</th>
                <th>Environment</th>
                <th>Status</th>
                <th className="hide-narrow">Description</th>
                <th className="hide-narrow">Commit</th>
                <th className="hide-narrow">Deployer</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((deploy) => (
                <tr key={deploy.id}>
                  <td>
                    <Link to={`/deploys/${seg(deploy.id)}`}>
                      <Time iso={deploy.deployedAt} />
                    </Link>
                  </td>
                  <td>
                    {deploy.environment ? (
                      <Link to={`/environments/${seg(deploy.environment)}`}>{deploy.environment}</Link>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                  <td>
                    <StatusBadge status={deploy.status} />
                  </td>
                  <td className="hide-narrow">
                    {deploy.description} <span className="muted">#{deploy.deployNumber}</span>
                  </td>
                  <td className="hide-narrow sha" title={deploy.commit?.message ?? undefined}>
                    {shortSha(deploy.commit?.sha)}
                  </td>
                  <td className="hide-narrow">{deployerLabel(deploy)}</td>
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

export default function ServicePage() {
  const { id = '' } = useParams();
  const { can } = useSession();
  const navigate = useNavigate();
  const loaded = useResource<Service>(`/api/v1/services/${seg(id)}`);
  const [changed, setChanged] = useState<Service>();
  const [editing, setEditing] = useState(false);
  const service = changed?.id === loaded.data?.id && changed ? changed : loaded.data;

  if (loaded.error)
    return (
      <>
        <PageHeader title="Service" />
        <ErrorNotice error={loaded.error} />
      </>
    );
  if (!service) return <Loading label="Loading the service…" />;
  const aliasKey = service.aliases.join('\u0000');
  const remove = async () => {
    await api.delete(`/api/v1/services/${seg(service.id)}`);
    navigate('/services');
  };
  return (
    <>
      <PageHeader title={service.name} subtitle={service.description || undefined}>
        {can('write') && !editing ? (
          <button type="button" onClick={() => setEditing(true)}>
            Edit
          </button>
        ) : null}
        {can('write') ? (
          <ActionButton
            className="danger"
            onAction={remove}
            busyLabel="Deleting…"
            confirm={`Delete ${service.name}? Its deploys stay, and its aliases become suggestions again.`}
          >
            Delete
          </ActionButton>
        ) : null}
      </PageHeader>
      {editing ? (
        <EditServiceForm
          service={service}
          onCancel={() => setEditing(false)}
          onSaved={(s) => {
            setChanged(s);
            setEditing(false);
          }}
        />
      ) : (
        <div className="card">
          <dl className="kv">
            <dt>Owner</dt>
            <dd>{service.owner || <span className="muted">—</span>}</dd>
            <dt>Tags</dt>
            <dd>
              {service.tags.length ? (
                <span className="catalog-chips">
                  {service.tags.map((t) => (
                    <span key={t} className="badge">
                      {t}
                    </span>
                  ))}
                </span>
              ) : (
                <span className="muted">—</span>
              )}
            </dd>
            <dt>Created</dt>
            <dd>
              <Time iso={service.createdAt} />
            </dd>
            <dt>Insights</dt>
            <dd>
              <Link to={`/insights?service=${seg(service.name)}`}>DORA figures for {service.name}</Link>
            </dd>
          </dl>
        </div>
      )}
      <ServiceAliases service={service} onChanged={setChanged} />
      {/* A new alias attaches earlier deploys: the sections below load again when the aliases change. */}
      <ServiceEnvironments key={`env:${aliasKey}`} service={service} />
      <ServiceTimeline key={`timeline:${aliasKey}`} service={service} />
      <RecentDeploys key={`deploys:${aliasKey}`} service={service} />
    </>
  );
}
