import { Type } from 'typebox';
import type { RouteOptions } from 'fastify';
import { ErrorBody } from './schemas.js';

const described = (description: string) => Type.Object(ErrorBody.properties, { description });

/** Answers any route can give, whatever its own schema lists (see error-handler.ts). */
const EVERY_ROUTE = {
  400: described('The request is invalid: request.invalid, request.malformed_url, request.nul_character, request.too_deep …'),
  414: described('request.url_too_long: a path parameter is too long'),
  431: described('request.headers_too_large'),
  500: described('internal: an unexpected error (logged)'),
  503: described("store.unavailable: the store cannot be reached or cannot write right now; retry after the Retry-After header's seconds"),
};
const WITH_A_BODY = {
  413: described('request.too_large: the body is larger than SHIPLINE_BODY_LIMIT'),
  415: described('request.unsupported_media_type'),
};

/**
 * Lists in a route's OpenAPI responses the errors that every route may answer and that its own
 * schema does not list yet (the deploy webhook lists them all itself, in OpsLevel's format).
 * Routes hidden from the document are left alone.
 */
export function documentErrorResponses(route: RouteOptions): void {
  const schema = route.schema as { hide?: boolean; response?: Record<string, unknown> } | undefined;
  if (!schema || schema.hide) return;
  const takesBody = [route.method].flat().some((m) => m === 'POST' || m === 'PUT' || m === 'PATCH');
  schema.response = { ...EVERY_ROUTE, ...(takesBody ? WITH_A_BODY : {}), ...schema.response };
}
