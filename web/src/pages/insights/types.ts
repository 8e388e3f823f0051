// The DORA report and drill-down (src/server/insights-schemas.ts is the source of truth).
import type { FailureMatch, Incident, InsightDeploy } from '../services/catalog-types';

export type MetricName = 'deploymentFrequency' | 'leadTime' | 'changeFailureRate' | 'timeToRestore';
export const METRICS: MetricName[] = ['deploymentFrequency', 'leadTime', 'changeFailureRate', 'timeToRestore'];
export type Band = 'elite' | 'high' | 'medium' | 'low';

export interface Metric {
  /** Deploys per day; seconds (the median) for lead time and time to restore; a 0–1 ratio for the failure rate. */
  value: number | null;
  unit: 'deploys_per_day' | 'seconds' | 'ratio';
  median?: number | null;
  p90?: number | null;
  numerator: number;
  denominator: number;
  denominatorUnit: 'days' | 'deploys' | 'failures';
  band: Band | null;
  /** Rows of the denominator that give no value, by reason. */
  excluded?: Record<string, number>;
  /** The drill-down path (with its query) for this figure. */
  drilldown: string;
}

export type Figures = Record<MetricName, Metric>;

export interface DoraReport {
  from: string;
  to: string;
  bucket: string;
  environments: string[];
  service: { id: string; name: string } | null;
  team: string | null;
  incidentWindowMinutes: number;
  bandsVersion: string;
  summary: Figures;
  buckets: Array<{ key: string; start: string; end: string; metrics: Figures }>;
}

export interface DrilldownRow {
  deploy: InsightDeploy;
  counted: boolean;
  seconds: number | null;
  excludedBecause: string | null;
  failures: FailureMatch[];
  restore: { at: string; by: 'deploy' | 'incident'; id: string } | null;
}

export interface Drilldown {
  metric: MetricName;
  from: string;
  to: string;
  numerator: number;
  denominator: number;
  denominatorUnit: string;
  rows: DrilldownRow[];
  incidents: Incident[];
}
