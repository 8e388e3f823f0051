import type { FastifyInstance } from 'fastify';

/** How long a stop lets the requests under way finish before cutting their connections. */
export const CLOSE_GRACE_MS = 10_000;

/**
 * Makes `app.close()` end once the requests under way are answered. Fastify closes the idle
 * keep-alive connections when the stop begins, but a connection busy at that moment stays open
 * after its answer until the client leaves or the keep-alive timeout (72 s) passes, and the stop
 * waits for it: a webhook sender's delivery arriving as Shipline stops held the stop that long.
 * From the stop on, a connection closes right after its answer (Node adds its own 1 s grace);
 * a request still unanswered after `graceMs` has its connection cut.
 */
export function closeConnectionsOnStop(app: FastifyInstance, graceMs = CLOSE_GRACE_MS): void {
  app.addHook('preClose', (done) => {
    app.server.keepAliveTimeout = 1;
    const cut = setTimeout(() => app.server.closeAllConnections(), graceMs);
    cut.unref();
    app.server.once('close', () => clearTimeout(cut));
    done();
  });
}
