import type { Registry } from 'prom-client';
import { CountersByLabel, RequestMetrics } from './request-metrics.js';

/** Prometheus's text format, as prom-client names it. */
const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * Prometheus metrics of one app instance (its own registry, so tests can build many apps).
 * Shipline's own are plain numbers, recorded from the first request. The process's (CPU, memory,
 * event loop lag, garbage collection) come from prom-client, loaded with the first scrape: a
 * start does without the module and its observers, and a server nobody scrapes never pays for
 * them (decision 0061). Lag and collection times are therefore counted from that first scrape on.
 */
export function createMetrics() {
  const requests = new RequestMetrics();
  const ingested = new CountersByLabel(
    'shipline_deploys_ingested_total',
    'Deploy webhook requests by result (ok, no_service_found, duplicate_deploy, rejected)',
    'result',
  );
  let processMetrics: Promise<Registry> | undefined;
  const loadProcessMetrics = async (): Promise<Registry> => {
    const { Registry: PromRegistry, collectDefaultMetrics } = await import('prom-client');
    const registry = new PromRegistry();
    collectDefaultMetrics({ register: registry });
    return registry;
  };
  return {
    contentType: CONTENT_TYPE,
    /** Counts a finished request and observes its latency. */
    recordRequest: (method: string, route: string, status: number, seconds: number) => requests.record(method, route, status, seconds),
    /** Everything, in Prometheus's text format: the process's metrics (newline-terminated), then Shipline's. */
    render: async (): Promise<string> => {
      // A failed load is tried again at the next scrape rather than kept.
      processMetrics ??= loadProcessMetrics().catch((err: unknown) => {
        processMetrics = undefined;
        throw err;
      });
      return `${await (await processMetrics).metrics()}${requests.render()}${ingested.render()}`;
    },
    /** Deploy webhook requests by result: `ingested.inc('ok')`. */
    ingested,
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
