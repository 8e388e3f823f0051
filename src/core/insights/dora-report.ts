import type { BandTable, MetricName } from './dora-bands.js';
import { METRICS } from './dora-bands.js';
import type { Classified, FailureMatch, IncidentFact, Restore } from './change-failures.js';
import type { BucketSize, MetricFigure } from './dora.js';
import { bucketsOf, daysBetween, drilldownRows, figure, within } from './dora.js';

/** The DORA answer: the window's figures and the same per bucket, each with its drill-down link. */

export type MetricWithLink = MetricFigure & { drilldown: string };
export type Figures = Record<MetricName, MetricWithLink>;

export interface DoraScope {
  from: string;
  to: string;
  bucket: BucketSize;
  environments: string[];
  service: { id: string; name: string } | null;
  team: string | null;
  incidentWindowMinutes: number;
  bandsVersion: string;
}

export interface DoraReport extends DoraScope {
  summary: Figures;
  buckets: Array<{ key: string; start: string; end: string; metrics: Figures }>;
}

/** Builds the drill-down URL of a metric over [start, end) with the scope's other filters. */
export type LinkFor = (metric: MetricName, start: string, end: string) => string;

function figures(items: readonly Classified[], start: string, end: string, bands: BandTable, link: LinkFor): Figures {
  const slice = within(items, start, end);
  const days = daysBetween(start, end);
  const out = {} as Figures;
  for (const metric of METRICS) out[metric] = { ...figure(metric, slice, days, bands), drilldown: link(metric, start, end) };
  return out;
}

/** `items`: the classified deploys of the scope (the window's and any others: they are cut to it here). */
export function doraReport(scope: DoraScope, items: readonly Classified[], bands: BandTable, link: LinkFor): DoraReport {
  return {
    ...scope,
    summary: figures(items, scope.from, scope.to, bands, link),
    buckets: bucketsOf(scope.from, scope.to, scope.bucket).map((b) => ({ ...b, metrics: figures(items, b.start, b.end, bands, link) })),
  };
}

export interface DrilldownDeploy {
  id: string;
  service: { id: string; name: string };
  environment: string;
  deployedAt: string;
  status: string;
  deployNumber: string;
  commitSha: string | null;
  commitAt: string | null;
}

export interface DrilldownItem {
  deploy: DrilldownDeploy;
  /** True when this row counts in the numerator; every row counts in the denominator (except for frequency, whose denominator is days). */
  counted: boolean;
  seconds: number | null;
  excludedBecause: string | null;
  failures: FailureMatch[];
  restore: Restore | null;
}

export interface Drilldown {
  metric: MetricName;
  from: string;
  to: string;
  numerator: number;
  denominator: number;
  denominatorUnit: MetricFigure['denominatorUnit'];
  rows: DrilldownItem[];
  /** The incidents the rows' failures and restores refer to. */
  incidents: IncidentFact[];
}

export function drilldown(
  metric: MetricName,
  from: string,
  to: string,
  items: readonly Classified[],
  incidents: readonly IncidentFact[],
  bands: BandTable,
): Drilldown {
  const slice = within(items, from, to);
  const f = figure(metric, slice, daysBetween(from, to), bands);
  const rows = drilldownRows(metric, slice).map((r): DrilldownItem => {
    const d = r.item.deploy;
    return {
      deploy: {
        id: d.id,
        service: { id: d.serviceId, name: d.serviceName },
        environment: d.environment,
        deployedAt: d.deployedAt,
        status: d.status,
        deployNumber: d.deployNumber,
        commitSha: d.sha,
        commitAt: d.commitAt,
      },
      counted: r.counted,
      seconds: r.seconds,
      excludedBecause: r.excludedBecause,
      failures: r.item.failures,
      restore: r.item.restore,
    };
  });
  const referenced = new Set(
    rows.flatMap((r) => [
      ...r.failures.flatMap((x) => (x.incidentId ? [x.incidentId] : [])),
      ...(r.restore?.by === 'incident' ? [r.restore.id] : []),
    ]),
  );
  return {
    metric,
    from,
    to,
    numerator: f.numerator,
    denominator: f.denominator,
    denominatorUnit: f.denominatorUnit,
    rows,
    incidents: incidents.filter((i) => referenced.has(i.id)),
  };
}
