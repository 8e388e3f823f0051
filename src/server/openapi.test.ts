import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { Type } from 'typebox';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { serveOpenApiOnFirstUse } from './openapi.js';

const SWAGGER = {
  openapi: {
    openapi: '3.1.0',
    info: { title: 'Test API', version: '1' },
    components: { securitySchemes: { bearer: { type: 'http' as const, scheme: 'bearer' } } },
  },
};

const Node = Type.Cyclic({ Node: Type.Object({ name: Type.String(), children: Type.Array(Type.Ref('Node')) }) }, 'Node');

/** Routes of the kinds Shipline has: prefixed, with params, a shared schema, HEAD, hidden, changed by a later hook. */
async function addRoutes(app: FastifyInstance): Promise<void> {
  app.addSchema({ $id: 'Shared', type: 'object', properties: { id: { type: 'string' } } });
  await app.register(
    async (api) => {
      api.get('/', { schema: { tags: ['root'], response: { 200: Type.Object({ ok: Type.Boolean() }) } } }, async () => ({ ok: true }));
      api.get(
        '/things/:id',
        { schema: { params: Type.Object({ id: Type.String() }), response: { 200: { $ref: 'Shared#' } } } },
        async () => ({}),
      );
      api.route({ method: ['PUT', 'PATCH'], url: '/things/:id', schema: { body: Node }, handler: async () => ({}) });
      api.head('/things', { schema: { summary: 'head' } }, async () => '');
      api.post('/trees', { schema: { body: Node, summary: 'a tree' } }, async () => ({}));
    },
    { prefix: '/api/v1' },
  );
  app.get('/hidden', { schema: { hide: true } }, async () => 'x');
  app.get('/plain', async () => 'no schema');
  app.addHook('onRoute', (route) => {
    if (route.schema) route.schema = { ...route.schema, description: `registered as ${route.url}` };
  });
  app.get('/late', { schema: { summary: 'after the hook' } }, async () => 'x');
}

/** @fastify/swagger and its UI registered at start, as Fastify's docs show. */
async function eager(): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(swagger, SWAGGER);
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await addRoutes(app);
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.ready();
  return app;
}

async function lazy(): Promise<FastifyInstance> {
  const app = Fastify();
  serveOpenApiOnFirstUse(app, { swagger: SWAGGER, documentUrl: '/openapi.json', uiPrefix: '/docs' });
  await addRoutes(app);
  await app.ready();
  return app;
}

describe('the OpenAPI document and Swagger UI built on first use', () => {
  const apps: FastifyInstance[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  it('serve the document the plugin builds at start', async () => {
    const [before, after] = [await eager(), await lazy()];
    apps.push(before, after);
    const expected = (await before.inject({ method: 'GET', url: '/openapi.json' })).json();
    const document = await after.inject({ method: 'GET', url: '/openapi.json' });
    expect(document.statusCode).toBe(200);
    expect(document.json()).toEqual(expected);
    // The check is not vacuous: the document has what each kind of route gives it.
    expect(Object.keys(expected.paths)).toEqual(['/api/v1/', '/api/v1/things/{id}', '/api/v1/trees', '/plain', '/late']);
    expect(expected.paths['/late'].get.description).toBe('registered as /late');
    expect(Object.keys(expected.components.schemas).length).toBeGreaterThan(0);
  });

  it('answer every Swagger UI request as the plugin registered at start does', async () => {
    const [before, after] = [await eager(), await lazy()];
    apps.push(before, after);
    const requests: Array<{ method: 'GET' | 'HEAD' | 'POST'; url: string; headers?: Record<string, string> }> = [
      { method: 'GET', url: '/docs' },
      { method: 'GET', url: '/docs/' },
      { method: 'HEAD', url: '/docs' },
      { method: 'GET', url: '/docs/json' },
      { method: 'GET', url: '/docs/yaml' },
      { method: 'GET', url: '/docs/static/index.html' },
      { method: 'GET', url: '/docs/static/swagger-initializer.js' },
      { method: 'GET', url: '/docs/static/swagger-ui.css' },
      { method: 'HEAD', url: '/docs/static/swagger-ui.css' },
      { method: 'GET', url: '/docs/static/swagger-ui.css', headers: { range: 'bytes=0-99' } },
      { method: 'GET', url: '/docs/static/missing.js' },
      { method: 'GET', url: '/docs/missing' },
      { method: 'POST', url: '/docs/json' },
    ];
    for (const request of requests) {
      const [expected, answer] = await Promise.all([before.inject(request), after.inject(request)]);
      const name = `${request.method} ${request.url}`;
      const withoutDate = (headers: Record<string, unknown>) => Object.fromEntries(Object.entries(headers).filter(([k]) => k !== 'date'));
      const [expectedHeaders, headers] = [withoutDate(expected.headers), withoutDate(answer.headers)];
      expect({ status: answer.statusCode, headers }, name).toEqual({ status: expected.statusCode, headers: expectedHeaders });
      expect(answer.rawPayload.equals(expected.rawPayload), name).toBe(true);
    }
  });

  it('loads nothing before the first request, and answers requests that come together', async () => {
    const app = await lazy();
    apps.push(app);
    expect(app.hasDecorator('swagger')).toBe(false);
    const answers = await Promise.all([
      app.inject({ method: 'GET', url: '/openapi.json' }),
      app.inject({ method: 'GET', url: '/docs/json' }),
      app.inject({ method: 'GET', url: '/docs' }),
    ]);
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 200]);
    expect(answers[1]!.json()).toEqual(answers[0]!.json());
  });
});
