/**
 * DORA performance bands, one versioned table per report. A later report's thresholds are a new
 * entry in BAND_TABLES; `DEFAULT_BANDS` names the one the API uses when none is asked for.
 *
 * The 2024 report (the latest that publishes elite/high/medium/low clusters) gives, per cluster:
 * lead time < 1 day / 1 day–1 week / 1 week–1 month / 1–6 months; deployment frequency on demand /
 * daily–weekly / weekly–monthly / monthly–every six months; change fail rate 5% / 20% / 10% / 40%;
 * failed deployment recovery time < 1 hour / < 1 day / < 1 day / 1 week–1 month.
 * See docs/decisions/0007-dora-metrics.md for how its two oddities (medium's fail rate below
 * high's; high and medium sharing a recovery bound) are read.
 */

export type Band = 'elite' | 'high' | 'medium' | 'low';
export const BANDS: readonly Band[] = ['elite', 'high', 'medium', 'low'];

const HOUR = 3600;
const DAY = 24 * HOUR;

/** A bound a value must stay within for the band: `max` for lower-is-better, `min` for higher-is-better. */
interface Bound {
  band: Band;
  limit: number;
}

export interface BandTable {
  version: string;
  source: string;
  /** Seconds, lower is better: the first bound (in this order) the median is strictly below wins. */
  leadTime: Bound[];
  /** Deploys per day, higher is better: the first bound the rate reaches wins. */
  deploymentFrequency: Bound[];
  /** Ratio 0–1, lower is better: the first bound (in this order) the rate is at or below wins. */
  changeFailureRate: Bound[];
  /** Seconds, lower is better: the first bound the median is strictly below wins. */
  timeToRestore: Bound[];
}

export const DORA_2024: BandTable = {
  version: '2024',
  source: 'https://dora.dev/research/2024/dora-report/',
  leadTime: [
    { band: 'elite', limit: DAY },
    { band: 'high', limit: 7 * DAY },
    { band: 'medium', limit: 30 * DAY },
    { band: 'low', limit: Infinity },
  ],
  // "On demand (several deploys per day)" is read as more than one a day on average.
  deploymentFrequency: [
    { band: 'elite', limit: 1 + Number.EPSILON },
    { band: 'high', limit: 1 / 7 },
    { band: 'medium', limit: 1 / 30 },
    { band: 'low', limit: 0 },
  ],
  // Ordered by the published rate, not by band: 2024's medium cluster (10%) failed less than high (20%).
  changeFailureRate: [
    { band: 'elite', limit: 0.05 },
    { band: 'medium', limit: 0.1 },
    { band: 'high', limit: 0.2 },
    { band: 'low', limit: Infinity },
  ],
  // High and medium share "less than one day": the better band wins, so medium is never given here.
  timeToRestore: [
    { band: 'elite', limit: HOUR },
    { band: 'high', limit: DAY },
    { band: 'medium', limit: DAY },
    { band: 'low', limit: Infinity },
  ],
};

export const BAND_TABLES: Record<string, BandTable> = { '2024': DORA_2024 };
export const DEFAULT_BANDS = DORA_2024;

export type MetricName = 'deploymentFrequency' | 'leadTime' | 'changeFailureRate' | 'timeToRestore';
export const METRICS: readonly MetricName[] = ['deploymentFrequency', 'leadTime', 'changeFailureRate', 'timeToRestore'];

/** The band of a metric's value under `table`; null when there is no value to judge. */
export function bandOf(table: BandTable, metric: MetricName, value: number | null): Band | null {
  if (value === null || !Number.isFinite(value)) return null;
  const bounds = table[metric];
  if (metric === 'deploymentFrequency') return bounds.find((b) => value >= b.limit)?.band ?? 'low';
  if (metric === 'changeFailureRate') return bounds.find((b) => value <= b.limit)?.band ?? 'low';
  return bounds.find((b) => value < b.limit)?.band ?? 'low';
}
