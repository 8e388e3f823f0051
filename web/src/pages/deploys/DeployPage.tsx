import { useCallback, useState } from 'react';
import { Link, useParams } from 'react-router';
import { CopyButton, ErrorNotice, Loading, PageHeader, StatusBadge, Time } from '../../components/ui';
import type { Page } from '../../lib/api';
import { seg } from '../../lib/api';
import { useEventStream, useResource } from '../../lib/hooks';
import type { Deploy, ShiplineEvent } from '../../lib/types';
import { safeHref } from '../services/catalog-types';
import { CommitCard } from './deploy-commit';
import { DeployFailure } from './deploy-failure';
import { DeployRuns } from './deploy-runs';
import { ServiceCell } from './deploy-view';
import './deploy-detail.css';

/**
 * The Shipline user behind the deployer. A single deploy does not carry it (only the deploy list
 * looks users up), so this reads the list narrowed to this deploy's service, environment and instant.
 */
function useDeployerUser(deploy: Deploy | undefined) {
  const wanted = deploy?.deployer.email && deploy.deployer.user === undefined;
  const list = useResource<Page<Deploy>>(wanted ? '/api/v1/deploys' : null, deploy ? {
    service: deploy.serviceAlias, environment: deploy.environment ?? undefined, since: deploy.deployedAt, until: deploy.deployedAt, limit: 100,
  } : undefined);
  if (deploy?.deployer.user !== undefined) return deploy.deployer.user;
  return list.data?.items.find((d) => d.id === deploy?.id)?.deployer.user ?? null;
}

function DeployerCard({ deploy }: { deploy: Deploy }) {
  const user = useDeployerUser(deploy);
  const { deployer } = deploy;
  return (
    <section aria-labelledby="deploy-deployer" className="card">
      <h2 id="deploy-deployer" className="catalog-card-title">Deployer</h2>
      <dl className="kv">
        <dt>Name</dt><dd>{deployer.name ?? <span className="muted">—</span>}</dd>
        <dt>Email</dt><dd>{deployer.email ?? <span className="muted">—</span>}</dd>
        <dt>Id</dt><dd>{deployer.id ? <span className="sha">{deployer.id}</span> : <span className="muted">—</span>}</dd>
        <dt>Shipline user</dt>
        <dd>{user ? <>{user.name} <span className="muted">&lt;{user.email}&gt;</span></> : <span className="muted">No Shipline user has this email</span>}</dd>
      </dl>
    </section>
  );
}

function SourceLink({ deploy }: { deploy: Deploy }) {
  const href = safeHref(deploy.deployUrl);
  if (href) return <a href={href} target="_blank" rel="noreferrer noopener">{deploy.deployUrl}</a>;
  return deploy.deployUrl ? <span title="Not an http(s) link">{deploy.deployUrl}</span> : <span className="muted">—</span>;
}

function DeployFacts({ deploy }: { deploy: Deploy }) {
  return (
    <section aria-labelledby="deploy-facts" className="card">
      <h2 id="deploy-facts" className="catalog-card-title">Deploy</h2>
      <dl className="kv">
        <dt>Description</dt><dd>{deploy.description}</dd>
        <dt>Service</dt><dd><ServiceCell deploy={deploy} />{deploy.service && deploy.service.name !== deploy.serviceAlias ? <span className="muted"> (as {deploy.serviceAlias})</span> : null}</dd>
        <dt>Environment</dt>
        <dd>{deploy.environment ? <Link to={`/environments/${seg(deploy.environment)}`}>{deploy.environment}</Link> : <span className="muted">—</span>}</dd>
        <dt>Status</dt><dd><StatusBadge status={deploy.status} /></dd>
        <dt>Number</dt><dd>#{deploy.deployNumber}</dd>
        <dt>Deployed</dt><dd><Time iso={deploy.deployedAt} /></dd>
        <dt>Received</dt><dd><Time iso={deploy.receivedAt} /></dd>
        <dt>Source</dt><dd>{deploy.source}</dd>
        <dt>Source link</dt><dd><SourceLink deploy={deploy} /></dd>
        <dt>Dedup id</dt>
        <dd>{deploy.dedupId ? <><span className="sha">{deploy.dedupId}</span> <CopyButton text={deploy.dedupId} label="Copy dedup id" /></> : <span className="muted">—</span>}</dd>
        <dt>Deploy id</dt><dd><span className="sha">{deploy.id}</span></dd>
      </dl>
    </section>
  );
}

export default function DeployPage() {
  const { id = '' } = useParams();
  const loaded = useResource<Deploy>(`/api/v1/deploys/${seg(id)}`);
  // An Octopus deployment moves queued → started → succeeded/failed while the page is open.
  const [live, setLive] = useState<Deploy>();
  const onEvent = useCallback((event: ShiplineEvent) => {
    const data = event.data as Deploy;
    if (data.id === id) setLive(data);
  }, [id]);
  useEventStream('deploy.updated', onEvent);
  const deploy = live?.id === id ? live : loaded.data;

  if (loaded.error) return <><PageHeader title="Deploy" /><ErrorNotice error={loaded.error} /></>;
  if (!deploy) return <Loading label="Loading the deploy…" />;
  const sourceHref = safeHref(deploy.deployUrl);
  return (
    <>
      <PageHeader
        title={deploy.description}
        subtitle={<>{deploy.service?.name ?? deploy.serviceAlias} to {deploy.environment ?? 'no environment'} · #{deploy.deployNumber} · <Time iso={deploy.deployedAt} /></>}
      >
        <StatusBadge status={deploy.status} />
        {sourceHref ? <a className="button" href={sourceHref} target="_blank" rel="noreferrer noopener">{deploy.source === 'custom' ? 'Open the source link' : `Open in ${deploy.source}`}</a> : null}
      </PageHeader>
      <div className="catalog-detail-grid">
        <DeployFacts deploy={deploy} />
        <div>
          <CommitCard commit={deploy.commit} />
          <DeployerCard deploy={deploy} />
        </div>
      </div>
      <DeployFailure deploy={deploy} />
      <DeployRuns deployId={deploy.id} />
    </>
  );
}
