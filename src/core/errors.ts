/**
 * The one catalog of errors Shipline reports across module boundaries and over HTTP.
 * Codes are stable: clients may match on them. Messages are for people.
 */
export const ERRORS = {
  'auth.token_missing': {
    status: 401,
    message: 'An API token is required: send Authorization: Bearer <token> (or sign in: POST /auth/session)',
  },
  'auth.token_invalid': { status: 401, message: 'The API token is unknown or revoked' },
  'auth.role_too_low': { status: 403, message: "This token's role is too low for this route" },
  'auth.session_invalid': { status: 401, message: 'The session has expired or ended: sign in again' },
  'auth.csrf': { status: 403, message: "A signed-in request that changes something must send the session's X-CSRF-Token header" },
  'auth.sign_in_failed': { status: 401, message: 'The email or password is wrong' },
  'auth.rate_limited': { status: 429, message: 'Too many failed sign-ins: try again later' },
  'setup.done': { status: 409, message: 'Setup is finished: an account exists, so sign in instead' },
  'setup.code_invalid': { status: 403, message: 'The setup code is wrong: use the one this Shipline printed when it started' },
  'setup.rate_limited': { status: 429, message: 'Too many wrong setup codes: try again later' },
  'user.not_found': { status: 404, message: 'No user has that email' },
  'user.email_conflict': { status: 409, message: 'A user with that email already exists' },
  'user.invalid': { status: 400, message: 'The user is invalid' },
  'request.invalid': { status: 400, message: 'The request is invalid' },
  'request.malformed_json': { status: 400, message: 'The request body is not valid JSON' },
  'request.too_large': { status: 413, message: 'The request body is too large' },
  'request.unsupported_media_type': { status: 415, message: 'The request body must be JSON (Content-Type: application/json)' },
  'request.invalid_cursor': { status: 400, message: 'The pagination cursor is invalid' },
  'request.nul_character': { status: 400, message: 'Text must not contain NUL characters (U+0000)' },
  'request.too_deep': { status: 400, message: 'The JSON body is nested too deeply' },
  'request.malformed_url': { status: 400, message: 'The URL is not valid (a malformed percent-encoding?)' },
  'request.malformed': { status: 400, message: 'The request is not valid HTTP' },
  'request.timeout': { status: 408, message: 'The request was not received in time' },
  'request.url_too_long': { status: 414, message: 'A part of the URL is too long' },
  'request.headers_too_large': { status: 431, message: 'The request headers are too large' },
  'route.not_found': { status: 404, message: 'No such route' },
  'service.not_found': { status: 404, message: 'No service matches that id or alias' },
  'service.alias_conflict': { status: 409, message: 'An alias is already used by another service' },
  'service.name_conflict': { status: 409, message: 'A service with that name already exists' },
  'deploy.not_found': { status: 404, message: 'No deploy has that id' },
  'environment.not_found': { status: 404, message: 'No deploy has been recorded to an environment of that name' },
  'endpoint.not_found': { status: 404, message: 'No deploy endpoint has that id' },
  'webhook.endpoint_not_found': { status: 404, message: 'No deploy endpoint at this URL: it may have been deleted' },
  'suggestion.not_found': { status: 404, message: 'No open suggestion has that alias' },
  'token.not_found': { status: 404, message: 'No API token has that id' },
  'event.not_found': { status: 404, message: 'No event has that id' },
  'reaction.not_found': { status: 404, message: 'No reaction has that name' },
  'reaction.invalid': { status: 400, message: 'The reaction document is invalid' },
  'reaction.admin_only': { status: 403, message: 'This reaction uses an action only admins may apply' },
  'run.not_found': { status: 404, message: 'No run has that id' },
  'run.not_retriable': { status: 409, message: 'The run has no failed step to retry' },
  'run.finished': { status: 409, message: 'The run has already finished' },
  'step.not_found': { status: 404, message: 'The run has no step with that id' },
  'step.not_waiting': { status: 409, message: 'The step is not waiting for an approval' },
  'secret.not_found': { status: 404, message: 'No secret has that name' },
  'secret.invalid': { status: 400, message: 'The secret is invalid' },
  'webhook.not_found': { status: 404, message: 'No webhook has that name' },
  'webhook.name_conflict': { status: 409, message: 'A webhook with that name already exists' },
  'hook.unauthorized': { status: 401, message: 'The webhook delivery is not authenticated' },
  'hook.not_found': { status: 404, message: 'No webhook at this URL' },
  'connection.not_found': { status: 404, message: 'No connection has that name' },
  'connection.name_conflict': { status: 409, message: 'A connection with that name already exists' },
  'connection.invalid': { status: 400, message: 'The connection is invalid' },
  'connection.unreachable': { status: 502, message: 'The connected system did not answer as expected' },
  'server.starting': {
    status: 503,
    message:
      'Shipline is still starting (its engine, schedules and connections are not running yet): try again after the Retry-After delay',
  },
  'store.unavailable': {
    status: 503,
    message: 'The store is not reachable or cannot write right now: try again after the Retry-After delay',
  },
  internal: { status: 500, message: 'Internal error' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

/** Every code of the catalog, in its order. */
export const ERROR_CODES = Object.keys(ERRORS) as ErrorCode[];

/** An error with a catalog code; the HTTP layer turns it into `{error: {code, message, status}}`. */
export class ShiplineError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details?: unknown;

  constructor(code: ErrorCode, message?: string, details?: unknown) {
    super(message ?? ERRORS[code].message);
    this.name = 'ShiplineError';
    this.code = code;
    this.status = ERRORS[code].status;
    this.details = details;
  }
}
