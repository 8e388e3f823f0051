import { useCallback, useMemo } from 'react';
import { Link, useParams } from 'react-router';
import { Empty, ErrorNotice, LiveDot, Loading, PageHeader, Pager, StatusBadge, Time } from '../../components/ui';
import { seg } from '../../lib/api';
import { useClientPages, useEventStream, usePaged, useResource } from '../../lib/hooks';
import type { Deploy, ShiplineEvent } from '../../lib/types';
import { environmentKey } from '../services/catalog-types';
import type { EnvironmentSummary } from '../services/catalog-types';
import { deployerLabel, ServiceCell, shortSha } from './deploy-view';
import { EnvironmentTier } from './environment-tier';
import './deploy-detail.css';
import { count } from '../../lib/plural';

const DAY = new Intl.DateTimeFormat(undefined, { dateStyle: 'full' });
const CLOCK = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });

/** Newest-first deploys in runs of one local calendar day each. */
function byDay(deploys: Deploy[]): Array<{ day: string; deploys: Deploy[] }> {
  const days: Array<{ day: string; deploys: Deploy[] }> = [];
  for (const deploy of deploys) {
    const day = DAY.format(new Date(deploy.deployedAt));
    const last = days[days.length - 1];
    if (last?.day === day) last.deploys.push(deploy);
    else days.push({ day, deploys: [deploy] });
  }
  return days;
}

function LatestPerService({ environment }: { environment: EnvironmentSummary }) {
  const pages = useClientPages(environment.services, 20);
  return (
    <section aria-labelledby="environment-latest">
      <h2 id="environment-latest">What runs here now</h2>
      <p className="hint">The last deploy of every service (or unclaimed alias) to {environment.name}.</p>
      <div className="table-wrap">
        <table aria-label={`Last deploy per service in ${environment.name}`}>
          <thead>
            <tr>
              <th>Service</th>
              <th>Status</th>
              <th>Deployed</th>
              <th className="hide-narrow">Deploy</th>
              <th className="hide-narrow">Commit</th>
            </tr>
          </thead>
          <tbody>
            {pages.items.map((deploy) => (
              <tr key={deploy.id}>
                <td>
                  <ServiceCell deploy={deploy} />
                </td>
                <td>
                  <StatusBadge status={deploy.status} />
                </td>
                <td>
                  <Link to={`/deploys/${seg(deploy.id)}`}>
                    <Time iso={deploy.deployedAt} />
                  </Link>
                </td>
                <td className="hide-narrow">
                  {deploy.description} <span className="muted">#{deploy.deployNumber}</span>
                </td>
                <td className="hide-narrow sha">{shortSha(deploy.commit?.sha)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager {...pages} />
    </section>
  );
}

function DeployTimeline({ name }: { name: string }) {
  const query = useMemo(() => ({ environment: name }), [name]);
  const list = usePaged<Deploy>('/api/v1/deploys', query, 50);
  const onEvent = useCallback(
    (event: ShiplineEvent) => {
      const deploy = event.data as Deploy;
      if (
        event.type === 'deploy.recorded' &&
        list.page === 1 &&
        deploy.environment &&
        environmentKey(deploy.environment) === environmentKey(name)
      ) {
        list.prepend([deploy], (d) => d.id);
      }
    },
    [list, name],
  );
  const stream = useEventStream('deploy.recorded', onEvent);
  return (
    <section aria-labelledby="environment-timeline">
      <div className="catalog-section-head">
        <h2 id="environment-timeline">Timeline</h2>
        <LiveDot state={stream} />
      </div>
      <ErrorNotice error={list.error} />
      {list.loading && list.items.length === 0 ? <Loading label="Loading deploys…" /> : null}
      {!list.loading && !list.error && list.items.length === 0 ? <Empty>No deploys to {name} yet.</Empty> : null}
      {byDay(list.items).map(({ day, deploys }) => (
        <section key={day} className="catalog-day" aria-label={day}>
          <h3>{day}</h3>
          <ol className="timeline">
            {deploys.map((deploy) => (
              <li key={deploy.id} data-status={deploy.status}>
                <div className="catalog-timeline-row">
                  <time dateTime={deploy.deployedAt} className="muted">
                    {CLOCK.format(new Date(deploy.deployedAt))}
                  </time>
                  <ServiceCell deploy={deploy} />
                  <Link to={`/deploys/${seg(deploy.id)}`}>{deploy.description}</Link>
                  <StatusBadge status={deploy.status} />
                  {deploy.commit?.sha ? (
                    <span className="sha hide-narrow" title={deploy.commit.message ?? undefined}>
                      {shortSha(deploy.commit.sha)}
                    </span>
                  ) : null}
                  <span className="muted hide-narrow">by {deployerLabel(deploy)}</span>
                </div>
              </li>
            ))}
          </ol>
        </section>
      ))}
      <Pager {...list} />
    </section>
  );
}

export default function EnvironmentPage() {
  const { name = '' } = useParams();
  const environments = useResource<{ items: EnvironmentSummary[] }>('/api/v1/environments');
  const environment = environments.data?.items.find((e) => environmentKey(e.name) === environmentKey(name));
  return (
    <>
      <PageHeader
        title={environment?.name ?? name}
        subtitle={
          environment ? (
            <>
              {count(environment.deployCount, 'deploy')}, the last <Time iso={environment.lastDeployedAt} />
            </>
          ) : (
            'Environment'
          )
        }
      >
        <Link className="button" to={`/deploys?environment=${seg(name)}`}>
          Filter the deploy list
        </Link>
      </PageHeader>
      <ErrorNotice error={environments.error} />
      {environments.loading && !environments.data ? <Loading /> : null}
      {environments.data && !environment ? <Empty>No deploy went to an environment named {name} yet.</Empty> : null}
      {environment ? (
        <>
          <EnvironmentTier
            key={`${environment.tier}:${environment.tierSource}`}
            environment={environment}
            onChanged={environments.reload}
          />
          <LatestPerService environment={environment} />
        </>
      ) : null}
      <DeployTimeline name={name} />
    </>
  );
}
