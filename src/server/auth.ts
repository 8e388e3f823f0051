import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ShiplineError } from '../core/errors.js';
import type { Role } from '../core/vocabulary.js';
import { ROLES, roleAllows } from '../core/vocabulary.js';
import type { ApiToken, TokensRepo } from '../store/tokens.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The least role a token needs for this route; every /api/v1 route must state one. */
    minRole?: Role;
  }
  interface FastifyRequest {
    /** The token that authenticated this /api/v1 request. */
    apiToken?: ApiToken;
  }
  interface FastifyInstance {
    /** Every /api/v1 route with the role it needs, for docs and for the test that checks them all. */
    apiRoutes: ApiRoute[];
  }
}

export interface ApiRoute {
  method: string;
  url: string;
  minRole: Role;
}

const API_PREFIX = '/api/v1/';

/**
 * Bearer-token auth for /api/v1. A route registered there without `config.minRole` is refused
 * at start-up, so no route can be left open by accident.
 */
export function registerAuth(app: FastifyInstance, tokens: TokensRepo): void {
  const routes: ApiRoute[] = [];
  app.decorate('apiRoutes', routes);
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith(API_PREFIX)) return;
    const minRole = route.config?.minRole as Role;
    if (!ROLES.includes(minRole)) throw new Error(`Route ${route.method} ${route.url} must declare config.minRole`);
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') routes.push({ method, url: route.url, minRole });
    }
    route.schema = { ...route.schema, description: `Needs a token with role \`${minRole}\` or higher.` };
  });

  // Callback style so routes without a role (health, the deploy webhook) pay no promise for it.
  app.addHook('onRequest', (request, _reply, done) => {
    const minRole = request.routeOptions.config.minRole;
    if (!minRole) return done();
    authorize(request, minRole, tokens).then(() => done(), done);
  });
}

async function authorize(request: FastifyRequest, minRole: Role, tokens: TokensRepo): Promise<void> {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!match) throw new ShiplineError('auth.token_missing');
  const token = await tokens.authenticate(match[1]!);
  if (!token) throw new ShiplineError('auth.token_invalid');
  request.apiToken = token;
  if (!roleAllows(token.role, minRole)) {
    throw new ShiplineError('auth.role_too_low', `This route needs role '${minRole}'; the token has role '${token.role}'`);
  }
}
