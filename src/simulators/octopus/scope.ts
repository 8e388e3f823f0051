import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { bind } from './bind.js';
import type { Bound } from './bind.js';
import { query } from './collection.js';
import type { Query } from './collection.js';
import type { SimContext } from './context.js';
import { notFound } from './errors.js';
import { userActor } from './events.js';
import { defaultSpace, sameId } from './lookup.js';
import type { SimActor, SimSpace } from './types.js';

/** What a space-scoped handler gets: the resolved space and the request, already bound. */
export interface ScopedRequest {
  ctx: SimContext;
  space: SimSpace;
  /** True when the URL named the space; unscoped `/api/...` means the default space. */
  explicit: boolean;
  params: Record<string, string>;
  query: Query;
  body: Bound;
  reply: FastifyReply;
  /** The API-key user, as events caused by this request record it. */
  actor(): SimActor;
  /** `/api/Spaces-1` + rest: the space's own path, for links. */
  spacePath(rest: string): string;
}

export type ScopedHandler = (r: ScopedRequest) => unknown;

/** Octopus serves every space-scoped route under three prefixes. */
const PREFIXES = ['/api', '/api/:spaceId', '/api/spaces/:spaceId'];

function resolveSpace(ctx: SimContext, spaceId: string | undefined): SimSpace {
  if (spaceId === undefined) return defaultSpace(ctx.state);
  const space = ctx.state.spaces.find((s) => sameId(s.id, spaceId));
  if (!space) throw notFound('space', spaceId);
  return space;
}

/** Registers `path` (e.g. `/projects/:id`) as `/api/...`, `/api/{spaceId}/...` and `/api/spaces/{spaceId}/...`. */
export function scopedRoute(app: FastifyInstance, ctx: SimContext, method: HTTPMethods, path: string, handler: ScopedHandler): void {
  for (const prefix of PREFIXES) {
    app.route({
      method,
      url: `${prefix}${path}`,
      handler: async (request: FastifyRequest, reply: FastifyReply) => handler(scoped(ctx, request, reply)),
    });
  }
}

function scoped(ctx: SimContext, request: FastifyRequest, reply: FastifyReply): ScopedRequest {
  const params = { ...(request.params as Record<string, string>) };
  const space = resolveSpace(ctx, params.spaceId);
  const userAgent = request.headers['user-agent'];
  return {
    ctx,
    space,
    explicit: params.spaceId !== undefined,
    params,
    query: query(request.query),
    body: bind(request.body),
    reply,
    actor: () => userActor(ctx.state, userAgent, request.ip ?? null),
    spacePath: (rest) => `/api/${space.id}${rest}`,
  };
}

/** Registers a route that exists once, outside any space (`/api/users/me`, `/api/spaces/all`). */
export function globalRoute(app: FastifyInstance, ctx: SimContext, method: HTTPMethods, url: string, handler: ScopedHandler): void {
  app.route({ method, url, handler: async (request: FastifyRequest, reply: FastifyReply) => handler(scoped(ctx, request, reply)) });
}
