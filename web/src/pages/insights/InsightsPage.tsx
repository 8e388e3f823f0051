import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { ErrorNotice, Loading, PageHeader } from '../../components/ui';
import { useResource } from '../../lib/hooks';
import { DrilldownTable } from './DrilldownTable';
import { FigureCard } from './FigureCard';
import { FILTERS, InsightsFilters, reportQuery } from './insights-filters';
import type { Filter, Filters } from './insights-filters';
import { METRICS } from './types';
import type { DoraReport, MetricName } from './types';
import './insights.css';

const DATE = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' });

function Scope({ report }: { report: DoraReport }) {
  const who = report.service ? report.service.name : report.team ? `services of ${report.team}` : 'every service';
  const last = new Date(Date.parse(report.to) - 1);
  return (
    <p className="insights-scope muted">
      {who} in {report.environments.length ? report.environments.join(', ') : 'no environment'}, {DATE.format(new Date(report.from))} to{' '}
      {DATE.format(last)} (UTC), per {report.bucket}. Bands from the DORA {report.bandsVersion} report; an incident up to{' '}
      {report.incidentWindowMinutes} min after a deploy fails it.
    </p>
  );
}

export default function InsightsPage() {
  const [params, setParams] = useSearchParams();
  const filters = Object.fromEntries(FILTERS.map((k) => [k, params.get(k) ?? undefined])) as Filters;
  const report = useResource<DoraReport>('/api/v1/insights/dora', reportQuery(filters));
  // Text filters keep what was typed; clearing starts them afresh.
  const [cleared, setCleared] = useState(0);
  const drill = METRICS.find((m) => m === params.get('drill'));
  const drillBucket = params.get('drillBucket') ?? undefined;

  const update = (changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    setParams(next, { replace: true });
  };
  // A changed filter changes the figures: an open drill-down of the old ones would mislead.
  const setFilter = (key: Filter, value: string) => {
    if ((params.get(key) ?? '') !== value) update({ [key]: value, drill: undefined, drillBucket: undefined });
  };
  const openDrill = (metric: MetricName, bucketKey?: string) => update({ drill: metric, drillBucket: bucketKey });

  const data = report.data;
  const bucket = drillBucket ? data?.buckets.find((b) => b.key === drillBucket) : undefined;
  const drillPath = drill && data ? (bucket ? bucket.metrics[drill].drilldown : data.summary[drill].drilldown) : null;

  return (
    <>
      <PageHeader
        title="Insights"
        subtitle="The four DORA figures from the deploys Shipline records. Choose a figure to see the deploys behind it."
      />
      <InsightsFilters
        key={cleared}
        filters={filters}
        onChange={setFilter}
        onClear={() => {
          setParams(new URLSearchParams(), { replace: true });
          setCleared((n) => n + 1);
        }}
      />
      <ErrorNotice error={report.error} />
      {report.loading && !data ? <Loading label="Computing the figures…" /> : null}
      {data ? (
        <>
          <Scope report={data} />
          {data.environments.length === 0 ? (
            <p className="notice notice-warn">
              No environment counts yet: the figures cover production-tier environments unless you choose one. Set an environment&apos;s
              tier on its page (open one from the <Link to="/deploys">deploy list</Link>), or enter an environment above.
            </p>
          ) : null}
          <div className="insights-figures" aria-busy={report.loading}>
            {METRICS.map((m) => (
              <FigureCard key={m} report={data} metric={m} selected={drill === m} onDrill={(key) => openDrill(m, key)} />
            ))}
          </div>
        </>
      ) : null}
      {drill && drillPath ? (
        <DrilldownTable
          metric={drill}
          path={drillPath}
          scope={bucket ? `${data?.bucket} of ${bucket.key}` : 'the whole window'}
          onClose={() => update({ drill: undefined, drillBucket: undefined })}
        />
      ) : null}
    </>
  );
}
