import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController } from 'fastify';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest, onResponseHookHandler } from 'fastify';
import type { Logger } from 'pino';
import type { TrustProxy } from '../config.js';
import type { Engine } from '../engine/engine.js';
import { ActionRegistry } from '../engine/registry.js';
import { builtinActions } from '../actions/index.js';
import type { Store } from '../store/index.js';
import { API_V1, registerAuth, SECURITY_SCHEMES } from './auth.js';
import { clientErrorHandler, frameworkErrors, registerErrorHandling } from './error-handler.js';
import { closeConnectionsOnStop } from './graceful-close.js';
import { documentErrorResponses } from './error-responses.js';
import { registerInputGuards } from './input-guard.js';
import { lazySchemaCompilers } from './lazy-schemas.js';
import { serveOpenApiOnFirstUse } from './openapi.js';
import { INGEST_PREFIX } from './opslevel-errors.js';
import { redactUrl } from './logger.js';
import { lazyRequestLogger } from './request-logger.js';
import { createMetrics } from './metrics.js';
import { deployRoutes } from './routes/deploys.js';
import { insightsRoutes } from './routes/insights.js';
import { eventRoutes } from './routes/events.js';
import { reactionRoutes } from './routes/reactions.js';
import { reactionTemplateRoutes } from './routes/reaction-templates.js';
import { runRoutes } from './routes/runs.js';
import { endpointRoutes } from './routes/endpoints.js';
import { healthRoutes } from './routes/health.js';
import { hookRoutes } from './routes/hooks.js';
import { connectionRoutes } from './routes/connections.js';
import type { ConnectionService } from '../connections/service.js';
import { connectionHookRoutes } from './routes/connection-hooks.js';
import { ingestRoutes } from './routes/ingest.js';
import { secretRoutes } from './routes/secrets.js';
import { serviceRoutes } from './routes/services.js';
import { suggestionRoutes } from './routes/suggestions.js';
import { tokenRoutes } from './routes/tokens.js';
import { linkDeployersToUsers, userRoutes } from './routes/users.js';
import { sessionRoutes } from './routes/session.js';
import { setupRoutes } from './routes/setup.js';
import { SetupCode } from './setup-code.js';
import type { App } from './routes/types.js';
import { webhookRoutes } from './routes/webhooks.js';
import { registerWebUi } from './web-ui.js';

export interface AppOptions {
  store: Store;
  /**
   * `publicUrl` is read per request, so the process may settle it once it listens. `trustProxy`
   * (default false) is Fastify's: whose X-Forwarded-* headers set `request.ip` and `request.protocol`.
   */
  config: { publicUrl: string; bodyLimit: number; trustProxy?: TrustProxy };
  /** Defaults to a silent logger, which is what tests want. */
  logger?: Logger;
  /** The actions reactions may use; default: the built-ins with scripts disabled. */
  registry?: ActionRegistry;
  /** The engine running in this process, if any (cancel aborts its in-flight steps). */
  engine?: Engine;
  /** Connections of every type (the connections API, providers' inbound webhooks); absent, not served. */
  connections?: ConnectionService;
  /** The built web UI to serve at `/`; default dist/web. */
  webRoot?: string;
  /**
   * Whether the process runs its engine, schedules and connections yet: `/readyz` answers 503
   * until then, since the server listens first (to settle its URL). Default: always ready.
   */
  ready?: () => boolean;
  /** The first-run setup code the process printed; default one never issued, so setup accepts no code. */
  setupCode?: SetupCode;
  /**
   * Compile every route's schemas in buildApp, as Fastify does by default, instead of on first
   * use (default false): a test's way to check that they all compile.
   */
  compileSchemasAtStart?: boolean;
}

/**
 * Fastify's trustProxy, but a hop count keeps its usual meaning (trust the nearest `n` hops, as
 * proxy-addr and Express have it): Fastify 5 now trusts nothing for a bare number, since a count
 * cannot tell a proxy from a client that reaches the server directly (see docs/operations.md).
 */
function trustProxyOption(trust: TrustProxy): boolean | string[] | ((address: string, hop: number) => boolean) {
  return typeof trust === 'number' ? (_address, hop) => hop < trust : trust;
}

/** Builds the Fastify app without listening: main.ts listens, tests use `app.inject()`. */
export async function buildApp({
  store,
  config,
  logger,
  registry,
  engine,
  connections,
  webRoot,
  ready,
  setupCode,
  compileSchemasAtStart = false,
}: AppOptions): Promise<FastifyInstance> {
  const actions = registry ?? new ActionRegistry(builtinActions({ scriptsEnabled: false }));
  const app = Fastify({
    ...(logger ? { loggerInstance: logger as FastifyBaseLogger } : { logger: false }),
    // Request lines go to the debug level below; at info a busy CI fleet would flood the log.
    logController: new LogController({ disableRequestLogging: true }),
    ...(logger ? { childLoggerFactory: lazyRequestLogger } : {}),
    bodyLimit: config.bodyLimit,
    trustProxy: trustProxyOption(config.trustProxy ?? false),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: true } },
    // Route schemas are compiled on first use, not all at start (lazy-schemas.ts).
    ...(compileSchemasAtStart ? {} : { schemaController: { compilersFactory: lazySchemaCompilers() } }),
    // Errors found before a route is chosen, answered in Shipline's formats (error-handler.ts).
    frameworkErrors,
    clientErrorHandler,
  }).withTypeProvider<TypeBoxTypeProvider>();

  // JSON only: Fastify's default text/plain parser would let a wrong content type through as a string.
  app.removeContentTypeParser('text/plain');
  const metrics = createMetrics();
  const logRequests = logger?.isLevelEnabled('debug') ?? false;
  closeConnectionsOnStop(app as unknown as FastifyInstance);
  registerErrorHandling(app, store.db.outage);
  registerInputGuards(app as unknown as FastifyInstance);

  const observe = (request: FastifyRequest, reply: FastifyReply, route: string) => {
    metrics.recordRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    if (logRequests) {
      request.log.debug(
        { method: request.method, url: redactUrl(request.url), status: reply.statusCode, ms: reply.elapsedTime },
        'request',
      );
    }
  };
  // Each route's own hook knows its URL: reading request.routeOptions builds a new object per call.
  app.addHook('onRoute', (route) => {
    documentErrorResponses(route);
    const url = route.url;
    const record: onResponseHookHandler = (request, reply, done) => {
      observe(request, reply, url);
      done();
    };
    route.onResponse = [...[route.onResponse ?? []].flat(), record];
  });
  // Requests no route matched (answered by the not-found handler, which has no route hooks).
  app.addHook('onResponse', (request, reply, done) => {
    if (request.is404) observe(request, reply, 'unmatched');
    done();
  });

  // Built from the routes registered after this, on the first request for either (openapi.ts).
  serveOpenApiOnFirstUse(app as unknown as FastifyInstance, {
    swagger: {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Shipline API',
          version: '1',
          description: 'Deploy tracking, reactions and Octopus Deploy automation. Send `Authorization: Bearer <token>` to /api/v1 routes.',
        },
        components: { securitySchemes: SECURITY_SCHEMES },
      },
    },
    documentUrl: '/api/openapi.json',
    uiPrefix: '/api/docs',
  });

  registerAuth(app, store.tokens, store.sessions);
  linkDeployersToUsers(app, store.users);
  await app.register(healthRoutes(store, metrics, ready ?? (() => true)));
  await app.register(ingestRoutes(store, metrics), { prefix: INGEST_PREFIX });
  await app.register(
    async (api: App) => {
      await api.register(serviceRoutes(store));
      await api.register(endpointRoutes(store, config));
      await api.register(deployRoutes(store));
      await api.register(insightsRoutes(store));
      await api.register(suggestionRoutes(store));
      await api.register(tokenRoutes(store));
      await api.register(userRoutes(store));
      await api.register(reactionRoutes(store, actions, connections));
      await api.register(reactionTemplateRoutes());
      await api.register(runRoutes(store, () => engine));
      await api.register(eventRoutes(store));
      await api.register(secretRoutes(store));
      await api.register(webhookRoutes(store, config));
      if (connections) await api.register(connectionRoutes(store, connections, config));
    },
    { prefix: API_V1 },
  );
  await app.register(sessionRoutes(store, config));
  await app.register(setupRoutes(store, config, setupCode ?? new SetupCode()));
  await app.register(hookRoutes(store));
  if (connections) await app.register(connectionHookRoutes(store, connections));

  await registerWebUi(app as unknown as FastifyInstance, webRoot);
  await app.ready();
  return app as unknown as FastifyInstance;
}
