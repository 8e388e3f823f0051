import type { Band, Metric, MetricName } from './types';
import { count } from '../../lib/plural';

export const TITLES: Record<MetricName, string> = {
  deploymentFrequency: 'Deployment frequency',
  leadTime: 'Lead time for changes',
  changeFailureRate: 'Change failure rate',
  timeToRestore: 'Time to restore',
};

export const MEANING: Record<MetricName, string> = {
  deploymentFrequency: 'Successful deploys per day.',
  leadTime: 'Median time from commit to successful deploy.',
  changeFailureRate: 'Failed deploys out of finished deploys.',
  timeToRestore: "Median time from a failed deploy to the next success or the incident's resolution.",
};

export const BAND_TONE: Record<Band, string> = { elite: 'good', high: 'info', medium: 'warn', low: 'bad' };

/** A duration in the largest unit under it, to one decimal that shows only when it says something ("2 h", "1.5 days", "1 day"). */
export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86_400) return `${tenths(seconds / 3600)} h`;
  return count(tenths(seconds / 86_400), 'day');
}

/** Rounded to one decimal, as a number: 1.04 is 1 (so "1 day", not "1.0 days"). */
const tenths = (n: number) => Math.round(n * 10) / 10;

/**
 * A figure in words a reader compares at a glance ("3.5 / week", "2.0 h", "12%"). Deploy rates
 * under one a day read better per week; `reference` (the window's figure) picks that scale, so
 * a chart's buckets are in the same unit as its headline.
 */
export function formatValue(metric: Pick<Metric, 'unit'>, value: number | null | undefined, reference = value): string {
  if (value === null || value === undefined) return '—';
  switch (metric.unit) {
    case 'deploys_per_day': {
      const weekly = reference !== null && reference !== undefined && reference > 0 && reference < 1;
      return weekly ? `${(value * 7).toFixed(1)} / week` : `${value.toFixed(value >= 10 ? 0 : 1)} / day`;
    }
    case 'seconds':
      return formatSeconds(value);
    case 'ratio':
      return `${Math.round(value * 1000) / 10}%`;
  }
}

/** What the numerator and denominator count, for this figure. */
export function fraction(name: MetricName, m: Metric): string {
  const days = Math.round(m.denominator * 10) / 10;
  switch (name) {
    case 'deploymentFrequency':
      return `${count(m.numerator, 'successful deploy')} over ${count(days, 'day')}`;
    case 'leadTime':
      return `${m.numerator} of ${count(m.denominator, 'successful deploy')} with a commit date`;
    case 'changeFailureRate':
      return `${m.numerator} failed of ${count(m.denominator, 'finished deploy')}`;
    case 'timeToRestore':
      return `${m.numerator} of ${count(m.denominator, 'failure')} restored`;
  }
}
