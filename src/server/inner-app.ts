import Fastify, { LogController } from 'fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import { registerErrorHandling } from './error-handler.js';

/** A second Fastify app, built on the first request that needs it, answering for the served one. */
export interface InnerApp {
  /** The app, built on the first call (and again after a build that failed). */
  get(): Promise<FastifyInstance>;
  /**
   * Answers `request` on `reply` as the inner app does, and resolves true; resolves false, sending
   * nothing, when the inner app has no such route or file (its 404), so the caller decides.
   */
  answer(request: FastifyRequest, reply: FastifyReply): Promise<boolean>;
}

// Headers of the inner answer that belong to its own connection, or that Fastify sets again.
const NOT_FORWARDED = new Set(['connection', 'content-length', 'date', 'keep-alive', 'transfer-encoding']);

/**
 * For what a start should not pay for and few servers use (the API docs, the web UI's files,
 * decision 0047): plugins that register routes must be registered before an app is ready, so
 * they go in an app of their own, built on first use, which answers through `inject`: the
 * answer is buffered, fine for pages and assets. It logs to `outer`'s logger, answers errors in
 * Shipline's format, and is closed with `outer`. `setUp` registers its plugins and routes.
 */
export function innerAppOnFirstUse(
  outer: FastifyInstance,
  setUp: (inner: FastifyInstance) => Promise<void>,
  options: Pick<FastifyServerOptions, 'schemaController'> = {},
): InnerApp {
  let built: Promise<FastifyInstance> | undefined;
  const build = async () => {
    const inner = Fastify({
      loggerInstance: outer.log,
      logController: new LogController({ disableRequestLogging: true }),
      ...options,
    }) as unknown as FastifyInstance;
    registerErrorHandling(inner);
    await setUp(inner);
    await inner.ready();
    return inner;
  };
  const get = () =>
    (built ??= build().catch((err: unknown) => {
      built = undefined;
      throw err;
    }));
  outer.addHook('onClose', async () => {
    if (built) await (await built.catch(() => undefined))?.close();
  });

  return {
    get,
    async answer(request, reply) {
      // A HEAD is asked as its GET; Fastify leaves the body out, as for any route of the served app.
      const method = request.method === 'HEAD' ? 'GET' : (request.method as 'GET');
      const answer = await (await get()).inject({ method, url: request.url, headers: request.headers });
      if (answer.statusCode === 404) return false;
      reply.code(answer.statusCode);
      for (const [name, value] of Object.entries(answer.headers)) {
        if (value !== undefined && !NOT_FORWARDED.has(name)) reply.header(name, value);
      }
      if (answer.rawPayload.length > 0) reply.send(answer.rawPayload);
      else reply.send();
      return true;
    },
  };
}
