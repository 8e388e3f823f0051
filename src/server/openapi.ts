import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { innerAppOnFirstUse } from './inner-app.js';
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

/**
 * Serves the OpenAPI document and Swagger UI, both built on their first request instead of at
 * start (decision 0047): loading @fastify/swagger, @fastify/swagger-ui and the `yaml` library
 * they require, and registering the UI's routes, cost every start for pages most servers never
 * serve.
 *
 * Registered before the routes, it keeps each route's options as @fastify/swagger's own `onRoute`
 * hook would (the same objects, so what later hooks add to a schema is in the document too) and
 * the shared schemas its `onReady` would read. The first request builds an inner app
 * (inner-app.ts) with both plugins, the same options and those routes (handlers that never run,
 * schemas never compiled), so the document is the one the plugin built in the served app.
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

  const docs = innerAppOnFirstUse(
    app,
    async (inner) => {
      const [{ default: swagger }, { default: swaggerUi }] = await Promise.all([import('@fastify/swagger'), import('@fastify/swagger-ui')]);
      await inner.register(swagger, options.swagger);
      for (const schema of sharedSchemas.values()) inner.addSchema(schema);
      // Each route as it was, HEAD ones included: none is made up here (exposeHeadRoute).
      for (const { method, url, schema, config, constraints, links } of routes) {
        inner.route({ method, url, schema, config, constraints, links, exposeHeadRoute: false, handler: unused } as RouteOptions);
      }
      await inner.register(swaggerUi, { routePrefix: options.uiPrefix });
    },
    // The routes' schemas are only read for the document, never compiled there.
    { schemaController: { compilersFactory: lazySchemaCompilers() } },
  );

  app.get(options.documentUrl, HIDDEN, async () => (await docs.get()).swagger());
  const ui = async (request: FastifyRequest, reply: FastifyReply) => ((await docs.answer(request, reply)) ? reply : reply.callNotFound());
  app.get(options.uiPrefix, HIDDEN, ui);
  app.get(`${options.uiPrefix}/*`, HIDDEN, ui);
}

function unused(): never {
  throw new Error('a route of the OpenAPI document was called in its place');
}
