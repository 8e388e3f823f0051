import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/server/app.js';
import { openStore } from '../src/store/index.js';
import type { Store } from '../src/store/index.js';
import { DIALECTS, freshDatabase } from './support/databases.js';

// The server listens before the engine, schedules and connections start (to settle its URL), so
// readiness must say "not yet" until they run: a load balancer would otherwise send work early.
describe.each(DIALECTS)('readiness on %s', (dialect) => {
  let app: FastifyInstance;
  let store: Store;
  let drop: () => Promise<void>;
  let started = false;

  beforeAll(async () => {
    const database = await freshDatabase(dialect);
    drop = database.drop;
    store = openStore(database.options);
    await store.migrate();
    app = await buildApp({ store, config: { publicUrl: 'http://shipline.test', bodyLimit: 1024 }, ready: () => started });
  });
  afterAll(async () => {
    await app.close();
    await store.close();
    await drop();
  });

  it('answers 503 server.starting with Retry-After until the process has started, then 200', async () => {
    const early = await app.inject({ method: 'GET', url: '/readyz' });
    expect(early.statusCode).toBe(503);
    expect(early.json()).toMatchObject({ error: { code: 'server.starting' } });
    expect(Number(early.headers['retry-after'])).toBeGreaterThan(0);
    // Liveness is not readiness: the process answers meanwhile.
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);

    started = true;
    const later = await app.inject({ method: 'GET', url: '/readyz' });
    expect(later.statusCode).toBe(200);
    expect(later.json()).toEqual({ status: 'ok' });
  });
});
