import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one app instance (its own registry, so tests can build many apps). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'shipline_http_requests_total',
    help: 'HTTP requests by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'shipline_http_request_duration_seconds',
    help: 'HTTP request latency by route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  // Label look-ups hash their labels on every call; the webhook's hot path reuses the children.
  const children = new Map<string, { count: { inc(): void }; time: { observe(v: number): void } }>();
  return {
    registry,
    /** Counts a finished request and observes its latency. */
    recordRequest(method: string, route: string, status: number, seconds: number): void {
      const key = `${method} ${route} ${status}`;
      let child = children.get(key);
      if (!child) {
        child = { count: requests.labels(method, route, String(status)), time: latency.labels(method, route) };
        children.set(key, child);
      }
      child.count.inc();
      child.time.observe(seconds);
    },
    ingested: new Counter({
      name: 'shipline_deploys_ingested_total',
      help: 'Deploy webhook requests by result (ok, no_service_found, duplicate_deploy, rejected)',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
