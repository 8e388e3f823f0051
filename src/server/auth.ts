import type { FastifyInstance, FastifyRequest, onRequestHookHandler, RouteOptions } from 'fastify';
import { Type } from 'typebox';
import { ShiplineError } from '../core/errors.js';
import type { Role } from '../core/vocabulary.js';
import { ROLES, roleAllows } from '../core/vocabulary.js';
import type { Session, SessionsRepo } from '../store/sessions.js';
import { csrfMatches } from '../store/sessions.js';
import type { ApiToken, TokensRepo } from '../store/tokens.js';
import { ErrorBody } from './schemas.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The least role a token needs for this route; every /api/v1 route must state one. */
    minRole?: Role;
  }
  interface FastifyRequest {
    /**
     * Who authenticated this /api/v1 request: the bearer token, or for a signed-in user a stand-in
     * with the user's role and their email as its name (what approvals and marks record).
     */
    apiToken?: ApiToken;
    /** The browser session, when the request was authenticated by the session cookie. */
    session?: Session;
  }
  interface FastifyInstance {
    /** Every /api/v1 route with the role it needs, for docs and for the test that checks them all. */
    apiRoutes: ApiRoute[];
  }
}

/** The API prefix every route plugin under it is registered with (app.ts). */
export const API_V1 = '/api/v1';

/** How /api/v1 authenticates, as OpenAPI security schemes (app.ts puts them in the document). */
export const SECURITY_SCHEMES = {
  bearer: { type: 'http', scheme: 'bearer', description: 'An API token: `Authorization: Bearer <token>`' },
  session: {
    type: 'apiKey',
    in: 'cookie',
    name: 'shipline_session',
    description: 'A signed-in browser (POST /auth/session); requests that change something also send X-CSRF-Token',
  },
} as const;
const described = (description: string) => Type.Object(ErrorBody.properties, { description });
/** What the check below answers, whatever the route. */
const AUTH_ERRORS = {
  401: described('auth.token_missing, auth.token_invalid or auth.session_invalid: no valid token or session'),
  403: described('auth.role_too_low (the token or user has a lower role), or auth.csrf (a signed-in change without its X-CSRF-Token)'),
};
const SECURITY: Array<Record<string, string[]>> = [{ bearer: [] }, { session: [] }];

export interface ApiRoute {
  method: string;
  url: string;
  minRole: Role;
}

const API_PREFIX = `${API_V1}/`;

/** The browser session's cookie. */
export const SESSION_COOKIE = SECURITY_SCHEMES.session.name;
/** The header a signed-in browser echoes its session's CSRF token in. */
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** One cookie's value from a Cookie header, or undefined. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}

/**
 * Auth for /api/v1: a bearer token, or the session cookie of a signed-in user (whose requests
 * that change something must also carry the session's CSRF token). A route registered there
 * without `config.minRole` is refused at start-up, so no route can be left open by accident.
 */
export function registerAuth(app: FastifyInstance, tokens: TokensRepo, sessions?: SessionsRepo): void {
  const routes: ApiRoute[] = [];
  app.decorate('apiRoutes', routes);
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith(API_PREFIX)) return;
    const minRole = route.config?.minRole as Role;
    if (!ROLES.includes(minRole)) throw new Error(`Route ${route.method} ${route.url} must declare config.minRole`);
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') routes.push({ method, url: route.url, minRole });
    }
    documentAuth(route, minRole);
    // The check is attached to each /api/v1 route, first among its hooks, so that the routes
    // without a role (health, the deploy webhook) run no hook for it at all. Callback style: a
    // promise-returning hook would cost an extra turn per request.
    const check: onRequestHookHandler = (request, _reply, done) => {
      authorize(request, minRole, tokens, sessions).then(() => done(), done);
    };
    route.onRequest = [check, ...[route.onRequest ?? []].flat()];
  });
}

/**
 * The route's own description is kept and the role it needs appended; the role also goes in
 * `x-min-role` (for the generated docs) and the security requirement in `security`, so routes
 * state neither themselves.
 */
function documentAuth(route: RouteOptions, minRole: Role): void {
  const schema = (route.schema ?? {}) as { description?: string; response?: Record<string, unknown> };
  const needs = `Needs a token (or a signed-in user) with role \`${minRole}\` or higher.`;
  route.schema = {
    ...schema,
    description: schema.description ? `${schema.description}\n\n${needs}` : needs,
    security: SECURITY,
    'x-min-role': minRole,
    response: { ...schema.response, ...AUTH_ERRORS },
  } as RouteOptions['schema'];
}

async function authorize(request: FastifyRequest, minRole: Role, tokens: TokensRepo, sessions: SessionsRepo | undefined): Promise<void> {
  const header = request.headers.authorization;
  // A bearer token wins over a cookie: browsers never add Authorization on their own, so such a
  // request cannot be forged cross-site and needs no CSRF token.
  const sessionId = header === undefined && sessions ? readCookie(request.headers.cookie, SESSION_COOKIE) : undefined;
  if (sessionId !== undefined) return authorizeSession(request, minRole, sessions!, sessionId);
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!match) throw new ShiplineError('auth.token_missing');
  const token = await tokens.authenticate(match[1]!);
  if (!token) throw new ShiplineError('auth.token_invalid');
  request.apiToken = token;
  if (!roleAllows(token.role, minRole)) {
    throw new ShiplineError('auth.role_too_low', `This route needs role '${minRole}'; the token has role '${token.role}'`);
  }
}

async function authorizeSession(request: FastifyRequest, minRole: Role, sessions: SessionsRepo, sessionId: string): Promise<void> {
  const session = await sessions.authenticate(sessionId);
  if (!session) throw new ShiplineError('auth.session_invalid');
  if (!SAFE_METHODS.has(request.method)) {
    const given = request.headers[CSRF_HEADER];
    if (!csrfMatches(session, typeof given === 'string' ? given : undefined)) throw new ShiplineError('auth.csrf');
  }
  const { user } = session;
  request.session = session;
  request.apiToken = {
    id: `user:${user.email}`,
    name: user.email,
    role: user.role,
    createdAt: session.createdAt,
    lastUsedAt: null,
    revokedAt: null,
  };
  if (!roleAllows(user.role, minRole)) {
    throw new ShiplineError('auth.role_too_low', `This route needs role '${minRole}'; the user has role '${user.role}'`);
  }
}
