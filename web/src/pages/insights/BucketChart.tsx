import { formatValue, TITLES } from './metric-format';
import type { DoraReport, MetricName } from './types';

const WIDTH = 300;
const DAY = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
const MONTH = new Intl.DateTimeFormat(undefined, { month: 'short', year: 'numeric', timeZone: 'UTC' });
const HEIGHT = 60;

/**
 * One figure per bucket as small bars (drawn here: no chart library, to keep the bundle small).
 * The SVG carries a short summary for screen readers; the table under it has every value, and
 * each value drills into the deploys of its bucket.
 */
export function BucketChart({ report, metric, onDrill }: { report: DoraReport; metric: MetricName; onDrill(bucketKey: string): void }) {
  const points = report.buckets.map((b) => ({ key: b.key, start: b.start, figure: b.metrics[metric] }));
  const values = points.map((p) => p.figure.value).filter((v): v is number => v !== null);
  const max = Math.max(...values, 0) || 1;
  const slot = WIDTH / Math.max(points.length, 1);
  const gap = Math.min(2, slot * 0.2);
  const headline = report.summary[metric];
  const label = (iso: string) => (report.bucket === 'month' ? MONTH : DAY).format(new Date(iso));
  const latest = points.length ? points[points.length - 1]!.figure.value : null;
  const summary =
    values.length === 0
      ? `${TITLES[metric]} per ${report.bucket}: no values in this window.`
      : `${TITLES[metric]} per ${report.bucket}, ${points.length} ${report.bucket}s: lowest ${formatValue(headline, Math.min(...values), headline.value)}, highest ${formatValue(headline, Math.max(...values), headline.value)}, latest ${formatValue(headline, latest, headline.value)}.`;

  return (
    <div className="insights-chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} preserveAspectRatio="none" role="img" aria-label={summary} focusable="false">
        <line x1={0} x2={WIDTH} y1={HEIGHT - 0.5} y2={HEIGHT - 0.5} className="insights-axis" />
        {points.map((p, i) => {
          const v = p.figure.value;
          const h = v === null ? 2 : Math.max((v / max) * (HEIGHT - 4), v > 0 ? 2 : 0.5);
          return (
            <rect
              key={p.key}
              x={i * slot + gap / 2}
              width={Math.max(slot - gap, 0.5)}
              y={HEIGHT - h}
              height={h}
              className={v === null ? 'insights-bar insights-bar-empty' : 'insights-bar'}
            >
              <title>{`${p.key}: ${formatValue(headline, v, headline.value)}`}</title>
            </rect>
          );
        })}
      </svg>
      {points.length > 0 ? (
        <div className="insights-chart-scale" aria-hidden="true">
          <span>{label(points[0]!.start)}</span>
          {values.length ? <span>peak {formatValue(headline, Math.max(...values), headline.value)}</span> : null}
          <span>{label(points[points.length - 1]!.start)}</span>
        </div>
      ) : null}
      <details className="insights-values">
        <summary>Values per {report.bucket}</summary>
        <div className="table-wrap">
          <table aria-label={`${TITLES[metric]} per ${report.bucket}`}>
            <thead>
              <tr>
                <th>{report.bucket}</th>
                <th>Value</th>
                <th>Count</th>
              </tr>
            </thead>
            <tbody>
              {points.map((p) => (
                <tr key={p.key}>
                  <td>{p.key}</td>
                  <td>{formatValue(headline, p.figure.value, headline.value)}</td>
                  <td>
                    <button
                      type="button"
                      className="button-small"
                      onClick={() => onDrill(p.key)}
                      aria-label={`Deploys behind ${TITLES[metric]} for ${p.key}`}
                    >
                      {p.figure.numerator}/{Math.round(p.figure.denominator * 10) / 10}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </div>
  );
}
