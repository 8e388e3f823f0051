import type { FastifyInstance } from 'fastify';
import { ShiplineError } from '../../core/errors.js';
import type { Store } from '../../store/index.js';
import type { Metrics } from '../metrics.js';

/** `ready`: whether the process has started what runs in the background (readiness waits for it). */
export function healthRoutes(store: Store, metrics: Metrics, ready: () => boolean) {
  return async (app: FastifyInstance) => {
    app.get('/healthz', { schema: { summary: 'Liveness: the process answers', tags: ['operations'] } }, async () => ({ status: 'ok' }));

    const summary = 'Readiness: the process has started and the store answers';
    app.get('/readyz', { schema: { summary, tags: ['operations'] } }, async (request) => {
      if (!ready()) throw new ShiplineError('server.starting');
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
