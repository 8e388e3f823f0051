import type { Band, BandTable, MetricName } from './dora-bands.js';
import { bandOf } from './dora-bands.js';
import type { Classified } from './change-failures.js';

/**
 * The four DORA figures over classified deploys: pure arithmetic, each figure with the
 * numerator and denominator it came from and the rows (drill-down) that add up to them.
 */

export type BucketSize = 'day' | 'week' | 'month';
export const BUCKET_SIZES: readonly BucketSize[] = ['day', 'week', 'month'];

const DAY_MS = 86_400_000;

export interface Bucket {
  /** The calendar start of the bucket (UTC), e.g. 2025-03-03 for the week of Monday 3 March. */
  key: string;
  /** The part of the bucket inside the window: [start, end). */
  start: string;
  end: string;
}

function bucketStart(t: number, size: BucketSize): number {
  const d = new Date(t);
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  if (size === 'day') return day;
  if (size === 'week') return day - ((d.getUTCDay() + 6) % 7) * DAY_MS;
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

function nextBucket(start: number, size: BucketSize): number {
  if (size === 'day') return start + DAY_MS;
  if (size === 'week') return start + 7 * DAY_MS;
  const d = new Date(start);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/** The calendar buckets (UTC; weeks start on Monday) covering [from, to), clipped to it. */
export function bucketsOf(from: string, to: string, size: BucketSize): Bucket[] {
  const out: Bucket[] = [];
  const end = Date.parse(to);
  for (let s = bucketStart(Date.parse(from), size); s < end; s = nextBucket(s, size)) {
    const next = nextBucket(s, size);
    out.push({
      key: new Date(s).toISOString().slice(0, 10),
      start: new Date(Math.max(s, Date.parse(from))).toISOString(),
      end: new Date(Math.min(next, end)).toISOString(),
    });
  }
  return out;
}

/**
 * The nearest-rank percentile: the smallest value with at least p% of the values at or below it.
 * Always one of the values, so a median points at a real deploy in the drill-down.
 */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

export interface MetricFigure {
  /** deploys per day; seconds (the median) for the times; a ratio 0–1 for the failure rate. */
  value: number | null;
  unit: 'deploys_per_day' | 'seconds' | 'ratio';
  median?: number | null;
  p90?: number | null;
  numerator: number;
  denominator: number;
  /** What the denominator counts: `days` or `deploys` or `failures`. */
  denominatorUnit: 'days' | 'deploys' | 'failures';
  band: Band | null;
  /** Rows in the denominator that give no value, and why (deploys without commit data, failures not restored). */
  excluded?: Record<string, number>;
}

/** One drill-down row: a deploy, whether it counts in the numerator, and what it contributed. */
export interface DrilldownRow {
  item: Classified;
  counted: boolean;
  /** Seconds, for lead time and time to restore. */
  seconds: number | null;
  excludedBecause: string | null;
}

const seconds = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 1000;

/** The rows a metric is computed from, in deploy order. */
export function drilldownRows(metric: MetricName, items: readonly Classified[]): DrilldownRow[] {
  const rows: DrilldownRow[] = [];
  for (const item of items) {
    const d = item.deploy;
    const finished = d.status === 'succeeded' || d.status === 'failed';
    if (metric === 'deploymentFrequency') {
      if (d.status === 'succeeded') rows.push({ item, counted: true, seconds: null, excludedBecause: null });
    } else if (metric === 'leadTime') {
      if (d.status !== 'succeeded') continue;
      if (d.commitAt === null) rows.push({ item, counted: false, seconds: null, excludedBecause: 'no commit date' });
      else if (d.commitAt > d.deployedAt)
        rows.push({ item, counted: false, seconds: null, excludedBecause: 'commit dated after the deploy' });
      else rows.push({ item, counted: true, seconds: seconds(d.commitAt, d.deployedAt), excludedBecause: null });
    } else if (metric === 'changeFailureRate') {
      if (finished) rows.push({ item, counted: item.failures.length > 0, seconds: null, excludedBecause: null });
    } else if (finished && item.failures.length > 0) {
      rows.push(
        item.restore
          ? { item, counted: true, seconds: seconds(d.deployedAt, item.restore.at), excludedBecause: null }
          : { item, counted: false, seconds: null, excludedBecause: 'not restored yet' },
      );
    }
  }
  return rows;
}

function countReasons(rows: readonly DrilldownRow[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows) if (r.excludedBecause) out[r.excludedBecause] = (out[r.excludedBecause] ?? 0) + 1;
  return out;
}

/** One metric over the deploys of a window (or bucket) `days` long. */
export function figure(metric: MetricName, items: readonly Classified[], days: number, bands: BandTable): MetricFigure {
  const rows = drilldownRows(metric, items);
  const counted = rows.filter((r) => r.counted);
  if (metric === 'deploymentFrequency') {
    const value = days > 0 ? counted.length / days : null;
    return {
      value,
      unit: 'deploys_per_day',
      numerator: counted.length,
      denominator: days,
      denominatorUnit: 'days',
      band: bandOf(bands, metric, value),
    };
  }
  if (metric === 'changeFailureRate') {
    const value = rows.length > 0 ? counted.length / rows.length : null;
    return {
      value,
      unit: 'ratio',
      numerator: counted.length,
      denominator: rows.length,
      denominatorUnit: 'deploys',
      band: bandOf(bands, metric, value),
    };
  }
  const sorted = counted.map((r) => r.seconds!).sort((a, b) => a - b);
  const median = percentile(sorted, 50);
  return {
    value: median,
    unit: 'seconds',
    median,
    p90: percentile(sorted, 90),
    numerator: counted.length,
    denominator: rows.length,
    denominatorUnit: metric === 'leadTime' ? 'deploys' : 'failures',
    band: bandOf(bands, metric, median),
    excluded: countReasons(rows),
  };
}

/** The deploys of `items` deployed in [start, end). */
export function within(items: readonly Classified[], start: string, end: string): Classified[] {
  return items.filter((c) => c.deploy.deployedAt >= start && c.deploy.deployedAt < end);
}

export const daysBetween = (start: string, end: string) => (Date.parse(end) - Date.parse(start)) / DAY_MS;
