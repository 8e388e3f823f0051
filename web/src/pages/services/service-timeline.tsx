import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { Empty, ErrorNotice, Loading, Pager, StatusBadge, Time } from '../../components/ui';
import { seg } from '../../lib/api';
import { useClientPages, useResource } from '../../lib/hooks';
import type { Service } from '../../lib/types';
import { shortSha } from '../deploys/deploy-view';
import { safeHref } from './catalog-types';
import type { Timeline, TimelineItem } from './catalog-types';

const WINDOWS = [
  { days: 7, label: 'Last 7 days' },
  { days: 30, label: 'Last 30 days' },
  { days: 90, label: 'Last 90 days' },
];

const KIND_LABEL: Record<TimelineItem['kind'], string> = {
  deploy: 'Deploy',
  failure: 'Failure',
  'incident.opened': 'Incident opened',
  'incident.resolved': 'Incident resolved',
  run: 'Run',
};

function ItemDetail({ item }: { item: TimelineItem }) {
  if (item.deploy) {
    return (
      <>
        <Link to={`/deploys/${seg(item.deploy.id)}`}>Deploy #{item.deploy.deployNumber}</Link>
        <StatusBadge status={item.deploy.status} />
        {item.commitRange ? (
          <span className="sha" title="Commits since the previous successful deploy here">
            {shortSha(item.commitRange.from)}..{shortSha(item.commitRange.to)}
          </span>
        ) : item.deploy.commitSha ? (
          <span className="sha">{shortSha(item.deploy.commitSha)}</span>
        ) : null}
      </>
    );
  }
  if (item.failure)
    return (
      <>
        <Link to={`/deploys/${seg(item.failure.deployId)}`}>{item.summary}</Link>
      </>
    );
  if (item.run) {
    return (
      <>
        <Link to={`/runs/${seg(item.run.id)}`}>Reaction {item.run.reaction}</Link>
        <StatusBadge status={item.run.status} />
        <span className="muted">on {item.run.eventType}</span>
      </>
    );
  }
  if (item.incident) {
    const href = safeHref(item.incident.url);
    return href ? (
      <a href={href} target="_blank" rel="noreferrer noopener">
        {item.summary}
      </a>
    ) : (
      <span>{item.summary}</span>
    );
  }
  return <span>{item.summary}</span>;
}

/** What happened to the service, newest first: deploys, failures, incidents and reaction runs. */
export function ServiceTimeline({ service }: { service: Service }) {
  const [days, setDays] = useState(30);
  const [environment, setEnvironment] = useState('');
  // `from` is fixed when the window is chosen, so re-renders do not refetch.
  const from = useMemo(() => new Date(Date.now() - days * 86_400_000).toISOString(), [days]);
  const timeline = useResource<Timeline>(`/api/v1/services/${seg(service.id)}/timeline`, { from, environment: environment || undefined });
  const newestFirst = useMemo(() => [...(timeline.data?.items ?? [])].reverse(), [timeline.data]);
  const pages = useClientPages(newestFirst, 30);
  return (
    <section aria-labelledby="service-timeline">
      <h2 id="service-timeline">Timeline</h2>
      <form className="filters" aria-label="Filter the timeline" onSubmit={(e) => e.preventDefault()}>
        <label>
          Window
          <select name="window" value={days} onChange={(e) => setDays(Number(e.target.value))}>
            {WINDOWS.map((w) => (
              <option key={w.days} value={w.days}>
                {w.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Environment
          <input
            name="environment"
            defaultValue={environment}
            placeholder="every environment"
            onBlur={(e) => setEnvironment(e.target.value.trim())}
            onKeyDown={(e) => e.key === 'Enter' && setEnvironment(e.currentTarget.value.trim())}
          />
        </label>
      </form>
      <ErrorNotice error={timeline.error} />
      {timeline.loading && !timeline.data ? <Loading label="Loading the timeline…" /> : null}
      {timeline.data && newestFirst.length === 0 ? <Empty>Nothing happened to {service.name} in this window.</Empty> : null}
      {pages.items.length > 0 ? (
        <ol className="timeline catalog-timeline" aria-label={`Timeline of ${service.name}`}>
          {pages.items.map((item, index) => (
            <li
              key={`${item.at}:${item.kind}:${index}`}
              data-kind={item.kind}
              data-status={item.kind === 'failure' ? 'failed' : (item.deploy?.status ?? item.run?.status)}
            >
              <div className="catalog-timeline-row">
                <Time iso={item.at} />
                <strong>{KIND_LABEL[item.kind]}</strong>
                {item.environment ? <span className="badge">{item.environment}</span> : null}
                <ItemDetail item={item} />
              </div>
            </li>
          ))}
        </ol>
      ) : null}
      <Pager {...pages} />
    </section>
  );
}
