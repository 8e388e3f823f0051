import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { triggerDeclarations } from '../src/core/reactions/source-trigger.js';
import { CONNECTION_TYPES } from '../src/integrations/connection-types.js';
import { createRuntime } from '../src/runtime.js';
import type { Runtime } from '../src/runtime.js';
import { buildApp } from '../src/server/app.js';
import { openStore } from '../src/store/index.js';
import type { Store } from '../src/store/index.js';
import { DIALECTS, freshDatabase } from './support/databases.js';
import type { TestDatabase } from './support/databases.js';
import { TEST_MASTER_KEY } from './support/runtime.js';

// The server compiles each route's schemas on first use (src/server/lazy-schemas.ts). These
// check that every schema still compiles, and that compiling late answers exactly as before.
describe.each(DIALECTS)('route schemas on %s', (dialect) => {
  let database: TestDatabase;
  let store: Store;
  let runtime: Runtime;
  let lazy: FastifyInstance;
  let eager: FastifyInstance;
  let token: string;

  beforeAll(async () => {
    database = await freshDatabase(dialect);
    store = openStore({ ...database.options, masterKey: TEST_MASTER_KEY, triggers: triggerDeclarations(CONNECTION_TYPES) });
    await store.migrate();
    runtime = createRuntime({ store, workers: 1, allowHosts: [], scriptsEnabled: false, publicUrl: () => 'http://shipline.test' });
    const options = {
      store,
      config: { publicUrl: 'http://shipline.test', bodyLimit: 1024 * 1024 },
      registry: runtime.registry,
      engine: runtime.engine,
      connections: runtime.connections,
    };
    // Compiling every route's schemas at once, as Fastify does by default, throws on any that fails.
    eager = await buildApp({ ...options, compileSchemasAtStart: true });
    lazy = await buildApp(options);
    token = (await store.tokens.create('schemas', 'admin')).token;
  });

  afterAll(async () => {
    await lazy?.close();
    await eager?.close();
    await runtime?.close();
    await store?.close();
    await database?.drop();
  });

  const both = async (request: InjectOptions) => {
    const headers = { authorization: `Bearer ${token}`, ...request.headers };
    const [a, b] = [await eager.inject({ ...request, headers }), await lazy.inject({ ...request, headers })];
    return { eager: { status: a.statusCode, body: a.body }, lazy: { status: b.statusCode, body: b.body } };
  };

  it('validates bodies, query strings and path parameters as when compiled at start', async () => {
    const cases: InjectOptions[] = [
      { method: 'POST', url: '/api/v1/services', payload: { name: 42, extra: true } },
      { method: 'POST', url: '/api/v1/services', payload: {} },
      { method: 'GET', url: '/api/v1/services?limit=nope' },
      { method: 'GET', url: '/api/v1/deploys?limit=0' },
      { method: 'PATCH', url: '/api/v1/services/missing', payload: { aliases: [{}] } },
    ];
    for (const request of cases) {
      const answers = await both(request);
      expect(answers.lazy.status, `${request.method} ${request.url}`).toBe(400);
      expect(answers.lazy).toEqual(answers.eager);
    }
  });

  it('serializes successes and errors as when compiled at start', async () => {
    const created = await both({ method: 'POST', url: '/api/v1/services', payload: { name: 'cart' } });
    expect(created.eager.status).toBe(201);
    expect(created.lazy.status).toBe(409);
    const cases: InjectOptions[] = [
      { method: 'GET', url: '/api/v1/services' },
      { method: 'GET', url: '/api/v1/services/cart' },
      { method: 'GET', url: '/api/v1/services/missing' },
      { method: 'GET', url: '/api/v1/services', headers: { authorization: 'Bearer wrong' } },
      { method: 'GET', url: '/readyz' },
    ];
    for (const request of cases) {
      const answers = await both(request);
      expect(answers.lazy, `${request.method} ${request.url}`).toEqual(answers.eager);
    }
  });

  it('answers concurrent first requests to a route alike', async () => {
    const fresh = await buildApp({ store, config: { publicUrl: 'http://shipline.test', bodyLimit: 1024 * 1024 } });
    try {
      const answers = await Promise.all(
        Array.from({ length: 20 }, () =>
          fresh.inject({ method: 'GET', url: '/api/v1/services?limit=1', headers: { authorization: `Bearer ${token}` } }),
        ),
      );
      expect(new Set(answers.map((a) => `${a.statusCode} ${a.body}`)).size).toBe(1);
      expect(answers[0]!.statusCode).toBe(200);
    } finally {
      await fresh.close();
    }
  });
});
