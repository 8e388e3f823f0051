import { useEffect, useMemo, useRef } from 'react';
import { Link } from 'react-router';
import { Empty, ErrorNotice, Loading, Pager, StatusBadge, Time } from '../../components/ui';
import { seg } from '../../lib/api';
import { useClientPages, useResource } from '../../lib/hooks';
import { shortSha } from '../deploys/deploy-view';
import type { Incident } from '../services/catalog-types';
import { formatSeconds, TITLES } from './metric-format';
import type { Drilldown, DrilldownRow, MetricName } from './types';
import { unitFor } from '../../lib/plural';

function Why({ row }: { row: DrilldownRow }) {
  const parts = [
    ...row.failures.map((f) => `${f.rule}: ${f.detail}`),
    ...(row.excludedBecause ? [`left out: ${row.excludedBecause}`] : []),
  ];
  return parts.length ? (
    <ul className="insights-why">
      {parts.map((p) => (
        <li key={p}>{p}</li>
      ))}
    </ul>
  ) : (
    <span className="muted">—</span>
  );
}

function Incidents({ incidents }: { incidents: Incident[] }) {
  const pages = useClientPages(incidents, 10);
  return (
    <>
      <h3>Incidents</h3>
      <ul>
        {pages.items.map((i) => (
          <li key={i.id}>
            {i.title || i.id} <span className="muted">({i.source})</span>, opened <Time iso={i.startedAt} />
            {i.resolvedAt ? (
              <>
                , resolved <Time iso={i.resolvedAt} />
              </>
            ) : (
              ', not resolved'
            )}
          </li>
        ))}
      </ul>
      <Pager {...pages} />
    </>
  );
}

/** Newest deploy first; deploys recorded at the same instant keep the server's order, reversed. */
const newerFirst = (a: DrilldownRow, b: DrilldownRow) => Date.parse(b.deploy.deployedAt) - Date.parse(a.deploy.deployedAt);

/** The deploys one figure is computed from: counted rows make its numerator, all rows its denominator. */
export function DrilldownTable({ metric, path, scope, onClose }: { metric: MetricName; path: string; scope: string; onClose(): void }) {
  const drill = useResource<Drilldown>(path);
  // The server answers every row at once, oldest first; the table reads like every other list,
  // newest first, so "Older →" goes back in time.
  const newestFirst = useMemo(() => [...(drill.data?.rows ?? [])].reverse().sort(newerFirst), [drill.data]);
  const pages = useClientPages(newestFirst, 25);
  const d = drill.data;
  // The table opens under the figures: take the reader (and the focus) to it.
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [path]);
  return (
    <section aria-labelledby="insights-drilldown" className="insights-drilldown">
      <div className="insights-drilldown-head">
        <h2 id="insights-drilldown" ref={heading} tabIndex={-1}>
          Deploys behind {TITLES[metric].toLowerCase()} <span className="muted">({scope})</span>
        </h2>
        <button type="button" className="button-small" onClick={onClose}>
          Close
        </button>
      </div>
      <ErrorNotice error={drill.error} />
      {drill.loading && !d ? <Loading label="Loading the deploys…" /> : null}
      {d ? (
        <p className="hint">
          {d.numerator} counted of {Math.round(d.denominator * 10) / 10} {unitFor(Math.round(d.denominator * 10) / 10, d.denominatorUnit)}
          {metric === 'deploymentFrequency' ? ' (the denominator of deployment frequency is days)' : ''}.
        </p>
      ) : null}
      {d && d.rows.length === 0 ? <Empty>No deploys in this window and scope.</Empty> : null}
      {pages.items.length > 0 ? (
        <div className="table-wrap">
          <table aria-label={`Deploys behind ${TITLES[metric]}`}>
            <thead>
              <tr>
                <th>Deploy</th>
                <th className="hide-narrow">Deployed</th>
                <th>Service</th>
                <th className="hide-narrow">Environment</th>
                <th>Status</th>
                <th>Counted</th>
                <th className="hide-narrow">Time</th>
                <th className="hide-narrow">Why</th>
              </tr>
            </thead>
            <tbody>
              {pages.items.map((row) => (
                <tr key={row.deploy.id} data-counted={row.counted}>
                  <td>
                    <Link to={`/deploys/${seg(row.deploy.id)}`}>#{row.deploy.deployNumber}</Link>
                    {row.deploy.commitSha ? <span className="sha hide-narrow"> {shortSha(row.deploy.commitSha)}</span> : null}
                  </td>
                  <td className="hide-narrow">
                    <Time iso={row.deploy.deployedAt} />
                  </td>
                  <td>
                    <Link to={`/services/${seg(row.deploy.service.id)}`}>{row.deploy.service.name}</Link>
                  </td>
                  <td className="hide-narrow">{row.deploy.environment}</td>
                  <td>
                    <StatusBadge status={row.deploy.status} />
                  </td>
                  <td>{row.counted ? 'yes' : 'no'}</td>
                  <td className="hide-narrow">
                    {row.seconds !== null ? formatSeconds(row.seconds) : <span className="muted">—</span>}
                    {row.restore ? (
                      <span className="hint">
                        {' '}
                        restored by{' '}
                        {row.restore.by === 'deploy' ? <Link to={`/deploys/${seg(row.restore.id)}`}>a deploy</Link> : 'an incident'}
                      </span>
                    ) : null}
                  </td>
                  <td className="hide-narrow">
                    <Why row={row} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <Pager {...pages} />
      {d && d.incidents.length > 0 ? <Incidents incidents={d.incidents} /> : null}
    </section>
  );
}
