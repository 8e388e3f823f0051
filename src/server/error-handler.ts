import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorCode } from '../core/errors.js';
import { ShiplineError } from '../core/errors.js';
import { RETRY_AFTER_SECONDS } from '../store/outage.js';
import { INGEST_PREFIX, OPSLEVEL_FORMAT } from './opslevel-errors.js';

// Not `import http from 'node:http'`: on Node 24 and 26, importing it as an ES module makes
// Node evaluate every export of its namespace, WebSocket's among them, which loads Node's own
// undici (about 45 ms of CPU and 15 MiB at every start on Node 26, decision 0047).
const { STATUS_CODES } = process.getBuiltinModule('node:http');

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'request.too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'request.unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'request.invalid',
  FST_ERR_CTP_INVALID_JSON_BODY: 'request.malformed_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'request.malformed_json',
  FST_ERR_BAD_URL: 'request.malformed_url',
  FST_ERR_MAX_PARAM_LENGTH: 'request.url_too_long',
};

/** Tells store outages from other errors, and notes them (the store's OutageMonitor). */
export interface OutageReporter {
  report(err: unknown): boolean;
}

/** Maps any thrown error onto the catalog. */
function toShiplineError(err: FastifyError | Error, outage: OutageReporter | undefined): ShiplineError {
  if (err instanceof ShiplineError) return err;
  // Logged once per outage by the monitor, not once per request.
  if (outage?.report(err)) return new ShiplineError('store.unavailable');
  const fastifyError = err as FastifyError;
  if (fastifyError.validation) return new ShiplineError('request.invalid', err.message, fastifyError.validation);
  const known = fastifyError.code ? FASTIFY_CODES[fastifyError.code] : undefined;
  if (known) return new ShiplineError(known);
  if (err instanceof SyntaxError && fastifyError.statusCode === 400)
    return new ShiplineError('request.malformed_json', `The request body is not valid JSON: ${err.message}`);
  if (fastifyError.statusCode && fastifyError.statusCode < 500) {
    return new ShiplineError('request.invalid', err.message);
  }
  return new ShiplineError('internal');
}

/** How a part of the API answers errors: the body for an error, and the error for an unknown URL. */
export interface ErrorFormat {
  body(error: ShiplineError): unknown;
  notFound(request: { method: string; url: string }): ShiplineError;
}

/** Shipline's format: `{error: {code, message, status, details?}}`. */
const SHIPLINE_FORMAT: ErrorFormat = {
  body(error) {
    const body: Record<string, unknown> = { code: error.code, message: error.message, status: error.status };
    if (error.details !== undefined) body.details = error.details;
    return { error: body };
  },
  notFound: (request) => new ShiplineError('route.not_found', `No route ${request.method} ${request.url.split('?')[0]}`),
};

/**
 * The format for a request no route has taken yet (a bad URL, a request Node's parser refused):
 * only its path can tell, so the deploy webhook's prefix is matched here, and nowhere else.
 */
function formatForPath(path: string): ErrorFormat {
  return path.startsWith(INGEST_PREFIX) ? OPSLEVEL_FORMAT : SHIPLINE_FORMAT;
}

function sendError(reply: FastifyReply, error: ShiplineError, format: ErrorFormat): FastifyReply {
  if (error.code === 'store.unavailable' || error.code === 'server.starting') reply.header('retry-after', String(RETRY_AFTER_SECONDS));
  return reply.status(error.status).send(format.body(error));
}

/**
 * Fastify's `frameworkErrors`: a URL its router cannot take (a malformed percent-encoding, a path
 * parameter past maxParamLength) is answered in the same formats as every other error.
 */
export function frameworkErrors(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  void sendError(reply, toShiplineError(err, undefined), formatForPath(request.url));
}

/** The request line's path, read from what Node's parser had received when it gave up. */
function requestPath(err: { rawPacket?: unknown }): string {
  const raw = Buffer.isBuffer(err.rawPacket) ? err.rawPacket.toString('latin1', 0, 2048) : '';
  return /^[A-Z]+ (\S+)/.exec(raw)?.[1] ?? '';
}

/**
 * Fastify's `clientErrorHandler`: what Node's HTTP parser refuses before Fastify sees a request
 * (headers too large, a bad Content-Length, a request too slow) is answered in the same formats,
 * OpsLevel's on the deploy webhook (told from the request line), then the connection is closed.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException & { rawPacket?: unknown }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const error =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? new ShiplineError('request.headers_too_large')
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? new ShiplineError('request.timeout')
        : new ShiplineError('request.malformed');
  if (socket.writable) {
    const body = JSON.stringify(formatForPath(requestPath(err)).body(error));
    socket.write(
      `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}

/**
 * Sets the error and not-found handlers of `app` and the plugins registered in it, in `format`
 * (default Shipline's; the deploy webhook's plugin sets OpsLevel's for itself). `outage`: the
 * store's outage monitor; its errors answer 503 store.unavailable with Retry-After.
 */
export function registerErrorHandling(app: FastifyInstance, outage?: OutageReporter, format: ErrorFormat = SHIPLINE_FORMAT): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const error = toShiplineError(err, outage);
    if (error.status >= 500 && error.code !== 'store.unavailable') request.log.error({ err }, 'request failed');
    return sendError(reply, error, format);
  });
  app.setNotFoundHandler((request, reply) => sendError(reply, format.notFound(request), format));
}
