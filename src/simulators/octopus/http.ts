import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SimContext } from './context.js';
import { OctopusApiError, UNAUTHORIZED_BODY } from './errors.js';
import { errorMessage } from '../../core/error-message.js';

/**
 * The HTTP behaviour around every route, as Octopus has it: bodies are JSON whatever the
 * Content-Type says (PowerShell's Invoke-WebRequest sends form-encoded by default), `/api/...`
 * needs an API key except the root document, errors are `{ErrorMessage, Errors}`. Every `/api`
 * call is also written to the request log.
 */

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

/** `/api` and `/api/` only: the root document is public. */
function needsKey(path: string): boolean {
  const p = path.toLowerCase();
  return (p === '/api' || p.startsWith('/api/')) && p !== '/api' && p !== '/api/';
}

function apiKeyOf(request: FastifyRequest): string | undefined {
  const header = request.headers['x-octopus-apikey'];
  if (typeof header === 'string' && header !== '') return header;
  const q = request.query as Record<string, unknown> | undefined;
  const fromQuery = Object.entries(q ?? {}).find(([k]) => k.toLowerCase() === 'apikey')?.[1];
  return typeof fromQuery === 'string' && fromQuery !== '' ? fromQuery : undefined;
}

export function installHttpBehaviour(app: FastifyInstance, ctx: SimContext): void {
  // Calls a `delayMs` fault lets through, with how long their answer is held back.
  const lateAnswers = new WeakMap<FastifyRequest, number>();
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(new OctopusApiError(400, 'The request body is not valid JSON.', [errorMessage(err)]), undefined);
    }
  });

  app.addHook('onRequest', async (request, reply) => {
    if (!needsKey(pathOf(request.url))) return;
    const key = apiKeyOf(request);
    if (key === undefined || !ctx.state.apiKeys.has(key)) {
      reply.code(401);
      return reply.send(UNAUTHORIZED_BODY);
    }
  });

  // After the key check, so an injected fault never hides a missing key.
  app.addHook('onRequest', async (request, reply) => {
    const path = pathOf(request.url);
    const fault = path.toLowerCase().startsWith('/api') ? ctx.faults.take(request.method, path) : undefined;
    if (!fault) return;
    if (fault.delayMs !== undefined) {
      lateAnswers.set(request, fault.delayMs);
      return;
    }
    if (fault.drop) {
      ctx.log.add({
        method: request.method,
        path,
        query: { ...(request.query as Record<string, unknown>) },
        headers: { ...request.headers },
        body: null,
        status: 0,
        at: new Date().toISOString(),
      });
      reply.hijack();
      request.raw.socket.destroy();
      return;
    }
    if (fault.retryAfterSeconds !== undefined) reply.header('retry-after', String(fault.retryAfterSeconds));
    const status = fault.status ?? 500;
    const message = status === 404 ? 'The resource you requested was not found.' : 'There was a problem processing your request.';
    reply.code(status);
    return reply.send({ ErrorMessage: message, Errors: ['A fault injected through /_sim/faults.'] });
  });

  app.addHook('onSend', async (request) => {
    const delayMs = lateAnswers.get(request);
    if (delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, delayMs));
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const path = pathOf(request.url);
    const lower = path.toLowerCase();
    if (lower === '/api' || lower.startsWith('/api/')) {
      ctx.log.add({
        method: request.method,
        path,
        query: { ...(request.query as Record<string, unknown>) },
        headers: { ...request.headers },
        body: request.body ?? null,
        status: reply.statusCode,
        at: new Date().toISOString(),
      });
    }
    return payload;
  });

  app.setErrorHandler(async (error, _request, reply) => {
    if (error instanceof OctopusApiError) return reply.code(error.status).send(error.body());
    const err = error as Error & { statusCode?: number };
    const status = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status < 500) return reply.code(status).send({ ErrorMessage: err.message, Errors: [err.message] });
    return reply.code(500).send({
      ErrorMessage: 'There was a problem processing your request.',
      Errors: [err.message],
      FullException: err.stack ?? err.message,
    });
  });

  app.setNotFoundHandler(async (request, reply) =>
    reply.code(404).send({
      ErrorMessage: 'The resource you requested was not found.',
      Errors: [`There is no ${request.method} ${pathOf(request.url)}.`],
    }),
  );
}
