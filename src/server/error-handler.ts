import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorCode } from '../core/errors.js';
import { ShiplineError } from '../core/errors.js';
import { RETRY_AFTER_SECONDS } from '../store/outage.js';

const INGEST_PREFIX = '/integrations/deploy';

/** The deploy webhook answers errors in OpsLevel's format; everything else in Shipline's. */
function isIngest(request: FastifyRequest): boolean {
  return request.url.startsWith(INGEST_PREFIX);
}

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'request.too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'request.unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'request.invalid',
  FST_ERR_CTP_INVALID_JSON_BODY: 'request.malformed_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'request.malformed_json',
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
  if (err instanceof SyntaxError && fastifyError.statusCode === 400) return new ShiplineError('request.malformed_json', `The request body is not valid JSON: ${err.message}`);
  if (fastifyError.statusCode && fastifyError.statusCode < 500) {
    return new ShiplineError('request.invalid', err.message);
  }
  return new ShiplineError('internal');
}

/** OpsLevel-style titles (`<Subject> Error`) for webhook errors that are not about one body field. */
const INGEST_TITLES: Partial<Record<number, string>> = {
  400: 'Request Error',
  404: 'Not Found Error',
  413: 'Payload Too Large Error',
  415: 'Unsupported Media Type Error',
  500: 'Internal Error',
  503: 'Service Unavailable Error',
};

function sendError(request: FastifyRequest, reply: FastifyReply, error: ShiplineError): FastifyReply {
  if (error.code === 'store.unavailable') reply.header('retry-after', String(RETRY_AFTER_SECONDS));
  if (isIngest(request)) {
    return reply.status(error.status).send({
      errors: [{ status: error.status, title: INGEST_TITLES[error.status] ?? 'Error', detail: error.message }],
    });
  }
  const body: Record<string, unknown> = { code: error.code, message: error.message, status: error.status };
  if (error.details !== undefined) body.details = error.details;
  return reply.status(error.status).send({ error: body });
}

/** `outage`: the store's outage monitor; its errors answer 503 store.unavailable with Retry-After. */
export function registerErrorHandling(app: FastifyInstance, outage?: OutageReporter): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const error = toShiplineError(err, outage);
    if (error.status >= 500 && error.code !== 'store.unavailable') request.log.error({ err }, 'request failed');
    return sendError(request, reply, error);
  });
  app.setNotFoundHandler((request, reply) => {
    const error = isIngest(request)
      ? new ShiplineError('webhook.endpoint_not_found')
      : new ShiplineError('route.not_found', `No route ${request.method} ${request.url.split('?')[0]}`);
    return sendError(request, reply, error);
  });
}

