import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import Fastify from 'fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { lazySchemaCompilers } from './lazy-schemas.js';

export interface OpenApiOptions {
  /** @fastify/swagger's options: the document's `openapi` object (info, components …). */
  swagger: FastifyDynamicSwaggerOptions;
  /** Where the document is served as JSON. */
  documentUrl: string;
  /** Where Swagger UI is served (`<prefix>`, `<prefix>/json`, `<prefix>/static/*` …). */
  uiPrefix: string;
}

type Route = RouteOptions & { links?: unknown };

const HIDDEN = { schema: { hide: true } };
// Headers of the inner answer that belong to its own connection, or that Fastify sets again.
const NOT_FORWARDED = new Set(['connection', 'content-length', 'date', 'keep-alive', 'transfer-encoding']);

/**
 * Serves the OpenAPI document and Swagger UI, both built on their first request instead of at
 * start (decision 0047): loading @fastify/swagger, @fastify/swagger-ui and the `yaml` library
 * they require, and registering the UI's routes, was a start's largest cost after Fastify itself,
 * for pages most servers never serve.
 *
 * Registered before the routes, it keeps each route's options as @fastify/swagger's own `onRoute`
 * hook would (the same objects, so what later hooks add to a schema is in the document too) and
 * the shared schemas its `onReady` would read. The first request builds a second Fastify
 * instance with both plugins, the same options and those routes (handlers that never run,
 * schemas never compiled), so the document is the one the plugin built in the served app. The
 * UI's requests are answered by that instance through `inject`; what it does not find goes to
 * this app's not-found handler, as before.
 */
export function serveOpenApiOnFirstUse(app: FastifyInstance, options: OpenApiOptions): void {
  const routes: Route[] = [];
  const instances: FastifyInstance[] = [];
  const sharedSchemas = new Map<string, unknown>();
  app.addHook('onRoute', (route) => {
    // A hidden route is never in the document (the plugin's own rules decide for the others).
    if ((route.schema as { hide?: boolean } | undefined)?.hide !== true) routes.push(route);
  });
  app.addHook('onRegister', (instance) => {
    instances.push(instance);
  });
  app.addHook('onReady', (done) => {
    for (const instance of [...instances, app]) {
      for (const [id, schema] of Object.entries(instance.getSchemas())) sharedSchemas.set(id, schema);
    }
    instances.length = 0;
    done();
  });

  let built: Promise<FastifyInstance> | undefined;
  const docs = () =>
    (built ??= buildDocsApp(routes, sharedSchemas, options).catch((err: unknown) => {
      built = undefined;
      throw err;
    }));
  app.addHook('onClose', async () => {
    if (built) await (await built.catch(() => undefined))?.close();
  });

  app.get(options.documentUrl, HIDDEN, async () => (await docs()).swagger());
  const forward = async (request: FastifyRequest, reply: FastifyReply) => {
    // A HEAD is answered as its GET, whose body Fastify then leaves out, as for any route.
    const method = request.method === 'HEAD' ? 'GET' : (request.method as 'GET');
    const answer = await (await docs()).inject({ method, url: request.url, headers: request.headers });
    if (answer.statusCode === 404) return reply.callNotFound();
    reply.code(answer.statusCode);
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value !== undefined && !NOT_FORWARDED.has(name)) reply.header(name, value);
    }
    return answer.rawPayload.length > 0 ? reply.send(answer.rawPayload) : reply.send();
  };
  app.get(options.uiPrefix, HIDDEN, forward);
  app.get(`${options.uiPrefix}/*`, HIDDEN, forward);
}

async function buildDocsApp(
  routes: readonly Route[],
  sharedSchemas: Map<string, unknown>,
  options: OpenApiOptions,
): Promise<FastifyInstance> {
  const [{ default: swagger }, { default: swaggerUi }] = await Promise.all([import('@fastify/swagger'), import('@fastify/swagger-ui')]);
  // The routes' schemas are only read for the document, never compiled here.
  const docs = Fastify({ logger: false, schemaController: { compilersFactory: lazySchemaCompilers() } });
  await docs.register(swagger, options.swagger);
  for (const schema of sharedSchemas.values()) docs.addSchema(schema);
  // Each route as it was, HEAD ones included: none is made up here (exposeHeadRoute).
  for (const { method, url, schema, config, constraints, links } of routes) {
    docs.route({ method, url, schema, config, constraints, links, exposeHeadRoute: false, handler: unused } as RouteOptions);
  }
  await docs.register(swaggerUi, { routePrefix: options.uiPrefix });
  await docs.ready();
  return docs as unknown as FastifyInstance;
}

function unused(): never {
  throw new Error('a route of the OpenAPI document was called in its place');
}
