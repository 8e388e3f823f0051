import type { FastifyInstance } from 'fastify';
import { ShiplineError } from '../../core/errors.js';
import type { Store } from '../../store/index.js';
import type { Metrics } from '../metrics.js';

export function healthRoutes(store: Store, metrics: Metrics) {
  return async (app: FastifyInstance) => {
    app.get('/healthz', { schema: { summary: 'Liveness: the process answers', tags: ['operations'] } }, async () => ({ status: 'ok' }));

    app.get('/readyz', { schema: { summary: 'Readiness: the store answers', tags: ['operations'] } }, async (request) => {
      try {
        await store.db.ping();
      } catch (err) {
        request.log.warn({ err }, 'store not ready');
        throw new ShiplineError('store.unavailable');
      }
      return { status: 'ok' };
    });

    app.get('/metrics', { schema: { summary: 'Prometheus metrics', tags: ['operations'] } }, async (_request, reply) => {
      reply.header('content-type', metrics.contentType);
      return metrics.render();
    });
  };
}
