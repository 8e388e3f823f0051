import { BucketChart } from './BucketChart';
import { BAND_TONE, formatValue, fraction, MEANING, TITLES } from './metric-format';
import type { DoraReport, MetricName } from './types';

/** One DORA figure: value, band, what it counts and leaves out, its course over time, its deploys. */
export function FigureCard({
  report,
  metric,
  selected,
  onDrill,
}: {
  report: DoraReport;
  metric: MetricName;
  selected: boolean;
  onDrill(bucketKey?: string): void;
}) {
  const m = report.summary[metric];
  const excluded = Object.entries(m.excluded ?? {}).filter(([, n]) => n > 0);
  const id = `figure-${metric}`;
  return (
    <section className="card insights-figure" aria-labelledby={id} data-selected={selected}>
      <h2 id={id} className="insights-figure-title">
        {TITLES[metric]}
      </h2>
      <p className="insights-value">
        <strong>{formatValue(m, m.value)}</strong>{' '}
        {m.band ? (
          <span className={`badge badge-${BAND_TONE[m.band]}`} title={`DORA ${report.bandsVersion} band`}>
            {m.band}
          </span>
        ) : (
          <span className="badge">no band</span>
        )}
      </p>
      <p className="hint">{MEANING[metric]}</p>
      <p className="insights-fraction">{fraction(metric, m)}</p>
      {m.unit === 'seconds' && m.p90 != null ? <p className="hint">p90 {formatValue(m, m.p90)}</p> : null}
      {excluded.length > 0 ? (
        <div className="insights-excluded">
          <span className="hint">Left out:</span>
          <ul>
            {excluded.map(([reason, n]) => (
              <li key={reason}>
                {n} × {reason}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <BucketChart report={report} metric={metric} onDrill={(key) => onDrill(key)} />
      <button
        type="button"
        className={selected ? 'primary' : undefined}
        aria-pressed={selected}
        aria-label={`Show the deploys behind ${TITLES[metric].toLowerCase()}`}
        onClick={() => onDrill()}
      >
        Show its deploys
      </button>
    </section>
  );
}
