import { useCallback, useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import { CopyButton, ErrorNotice, Loading, PageHeader, StatusBadge, Time } from '../../components/ui';
import { api, seg } from '../../lib/api';
import { useEventStream, useResource } from '../../lib/hooks';
import type { Deploy, ShiplineEvent } from '../../lib/types';
import { safeHref } from '../services/catalog-types';
import { CommitCard } from './deploy-commit';
import { DeployFailure } from './deploy-failure';
import type { FailureMark } from './deploy-failure';
import { DeployRuns } from './deploy-runs';
import { ServiceCell } from './deploy-view';
import './deploy-detail.css';

/** `GET /api/v1/deploys/:id`: the deploy with what is looked up when it is read. */
type DeployDetail = Deploy & {
  deployer: Deploy['deployer'] & { user: { email: string; name: string } | null };
  failure: FailureMark | null;
  /** What its source reported; `status` reads failed instead while a mark holds. */
  reportedStatus: Deploy['status'];
};

function DeployerCard({ deploy }: { deploy: DeployDetail }) {
  const { deployer } = deploy;
  const { user } = deployer;
  return (
    <section aria-labelledby="deploy-deployer" className="card">
      <h2 id="deploy-deployer" className="catalog-card-title">
        Deployer
      </h2>
      <dl className="kv">
        <dt>Name</dt>
        <dd>{deployer.name ?? <span className="muted">—</span>}</dd>
        <dt>Email</dt>
        <dd>{deployer.email ?? <span className="muted">—</span>}</dd>
        <dt>Id</dt>
        <dd>{deployer.id ? <span className="sha">{deployer.id}</span> : <span className="muted">—</span>}</dd>
        <dt>Shipline user</dt>
        <dd>
          {user ? (
            <>
              {user.name} <span className="muted">&lt;{user.email}&gt;</span>
            </>
          ) : (
            <span className="muted">No Shipline user has this email</span>
          )}
        </dd>
      </dl>
    </section>
  );
}

function SourceLink({ deploy }: { deploy: Deploy }) {
  const href = safeHref(deploy.deployUrl);
  if (href)
    return (
      <a href={href} target="_blank" rel="noreferrer noopener">
        {deploy.deployUrl}
      </a>
    );
  return deploy.deployUrl ? <span title="Not an http(s) link">{deploy.deployUrl}</span> : <span className="muted">—</span>;
}

function DeployFacts({ deploy }: { deploy: Deploy }) {
  return (
    <section aria-labelledby="deploy-facts" className="card">
      <h2 id="deploy-facts" className="catalog-card-title">
        Deploy
      </h2>
      <dl className="kv">
        <dt>Description</dt>
        <dd>{deploy.description}</dd>
        <dt>Service</dt>
        <dd>
          <ServiceCell deploy={deploy} />
          {deploy.service && deploy.service.name !== deploy.serviceAlias ? (
            <span className="muted"> (as {deploy.serviceAlias})</span>
          ) : null}
        </dd>
        <dt>Environment</dt>
        <dd>
          {deploy.environment ? (
            <Link to={`/environments/${seg(deploy.environment)}`}>{deploy.environment}</Link>
          ) : (
            <span className="muted">—</span>
          )}
        </dd>
        <dt>Status</dt>
        <dd>
          <StatusBadge status={deploy.status} />
        </dd>
        <dt>Number</dt>
        <dd>#{deploy.deployNumber}</dd>
        <dt>Deployed</dt>
        <dd>
          <Time iso={deploy.deployedAt} />
        </dd>
        <dt>Received</dt>
        <dd>
          <Time iso={deploy.receivedAt} />
        </dd>
        <dt>Source</dt>
        <dd>{deploy.source}</dd>
        <dt>Endpoint</dt>
        <dd>{deploy.endpoint ?? <span className="muted">deleted</span>}</dd>
        <dt>Source link</dt>
        <dd>
          <SourceLink deploy={deploy} />
        </dd>
        <dt>Dedup id</dt>
        <dd>
          {deploy.dedupId ? (
            <>
              <span className="sha">{deploy.dedupId}</span> <CopyButton text={deploy.dedupId} label="Copy dedup id" />
            </>
          ) : (
            <span className="muted">—</span>
          )}
        </dd>
        <dt>Deploy id</dt>
        <dd>
          <span className="sha">{deploy.id}</span>
        </dd>
      </dl>
    </section>
  );
}

/**
 * The deploy, read again after its mark changes or when its status moves (an Octopus deployment
 * goes queued → started → succeeded/failed while the page is open, someone marks it failed):
 * `deploy.*` events carry the deploy (or, `deploy.marked_failed`, its id) without its user and
 * mark, so the page asks for the deploy itself.
 */
function useDeploy(id: string) {
  const path = `/api/v1/deploys/${seg(id)}`;
  const loaded = useResource<DeployDetail>(path);
  const [fresh, setFresh] = useState<DeployDetail>();
  const [refreshError, setRefreshError] = useState<unknown>(null);
  // Only the latest read counts: an earlier one may answer last.
  const asked = useRef(0);
  const refresh = useCallback(async () => {
    const ask = ++asked.current;
    const value = await api.get<DeployDetail>(path);
    if (ask === asked.current) {
      setFresh(value);
      setRefreshError(null);
    }
  }, [path]);
  const onEvent = useCallback(
    (event: ShiplineEvent) => {
      const data = event.data as { id?: unknown; deployId?: unknown };
      if (event.type !== 'deploy.recorded' && (data.id === id || data.deployId === id)) refresh().catch(setRefreshError);
    },
    [id, refresh],
  );
  useEventStream('deploy.*', onEvent);
  return { deploy: fresh ?? loaded.data, error: loaded.error, refreshError, refresh };
}

function DeployDetailView({ id }: { id: string }) {
  const { deploy, error, refreshError, refresh } = useDeploy(id);

  if (error)
    return (
      <>
        <PageHeader title="Deploy" />
        <ErrorNotice error={error} />
      </>
    );
  if (!deploy) return <Loading label="Loading the deploy…" />;
  const sourceHref = safeHref(deploy.deployUrl);
  return (
    <>
      <PageHeader
        title={deploy.description}
        subtitle={
          <>
            {deploy.service?.name ?? deploy.serviceAlias} to {deploy.environment ?? 'no environment'} · #{deploy.deployNumber} ·{' '}
            <Time iso={deploy.deployedAt} />
          </>
        }
      >
        <StatusBadge status={deploy.status} />
        {sourceHref ? (
          <a className="button" href={sourceHref} target="_blank" rel="noreferrer noopener">
            {deploy.source === 'custom' ? 'Open the source link' : `Open in ${deploy.source}`}
          </a>
        ) : null}
      </PageHeader>
      <ErrorNotice error={refreshError} />
      <div className="catalog-detail-grid">
        <DeployFacts deploy={deploy} />
        <div>
          <CommitCard commit={deploy.commit} />
          <DeployerCard deploy={deploy} />
        </div>
      </div>
      <DeployFailure deploy={deploy} failure={deploy.failure} reportedStatus={deploy.reportedStatus} onChanged={refresh} />
      <DeployRuns deployId={deploy.id} />
    </>
  );
}

export default function DeployPage() {
  const { id = '' } = useParams();
  // Keyed by the id: going from one deploy to another starts afresh, with no state of the last one.
  return <DeployDetailView key={id} id={id} />;
}
