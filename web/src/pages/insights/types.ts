// The DORA report and drill-down, from the server's schemas (type-only imports).
import type { Static } from '@fastify/type-provider-typebox';
import type * as InsightsSchemas from '../../../../src/server/insights-schemas.js';

export type MetricName = Static<typeof InsightsSchemas.MetricNameSchema>;
export const METRICS: MetricName[] = ['deploymentFrequency', 'leadTime', 'changeFailureRate', 'timeToRestore'];
export type DoraReport = Static<typeof InsightsSchemas.DoraReportSchema>;
export type Figures = DoraReport['summary'];
export type Metric = Figures[MetricName];
export type Band = NonNullable<Metric['band']>;
export type Drilldown = Static<typeof InsightsSchemas.DrilldownSchema>;
export type DrilldownRow = Drilldown['rows'][number];
