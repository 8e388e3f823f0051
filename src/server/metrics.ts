import { Counter, Registry, collectDefaultMetrics } from 'prom-client';
import { RequestMetrics } from './request-metrics.js';

/** Prometheus metrics of one app instance (its own registry, so tests can build many apps). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new RequestMetrics();
  return {
    contentType: registry.contentType,
    /** Counts a finished request and observes its latency. */
    recordRequest: (method: string, route: string, status: number, seconds: number) => requests.record(method, route, status, seconds),
    /** Everything, in Prometheus's text format: the process's metrics (newline-terminated), then the requests'. */
    render: async (): Promise<string> => `${await registry.metrics()}${requests.render()}`,
    ingested: new Counter({
      name: 'shipline_deploys_ingested_total',
      help: 'Deploy webhook requests by result (ok, no_service_found, duplicate_deploy, rejected)',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
