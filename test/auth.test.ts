import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../src/core/vocabulary.js';
import { registerAuth } from '../src/server/auth.js';
import type { TestApp } from './support/app.js';
import { startTestApp } from './support/app.js';
import { DIALECTS } from './support/databases.js';

const BELOW: Record<Role, Role | undefined> = { read: undefined, write: 'read', admin: 'write' };

describe.each(DIALECTS)('API tokens and roles on %s', (dialect) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(dialect);
  });
  afterAll(() => t.close());

  it('has /api/v1 routes for every resource', () => {
    const urls = new Set(t.app.apiRoutes.map((r) => r.url));
    for (const url of [
      '/api/v1/services',
      '/api/v1/deploy-endpoints',
      '/api/v1/deploys',
      '/api/v1/environments',
      '/api/v1/suggestions',
      '/api/v1/tokens',
    ]) {
      expect(urls).toContain(url);
    }
  });

  it('rejects every /api/v1 route without a token, with an unknown token, and with too low a role', async () => {
    expect(t.app.apiRoutes.length).toBeGreaterThan(15);
    for (const route of t.app.apiRoutes) {
      const url = route.url.replace(/:[A-Za-z]+/g, 'x');
      const method = route.method as 'GET';
      const none = await t.app.inject({ method, url });
      expect(none.statusCode, `${route.method} ${route.url} without token`).toBe(401);
      expect(none.json().error.code).toBe('auth.token_missing');
      // The HEAD route Fastify adds beside each GET is checked too.
      if (route.method === 'GET' && !url.endsWith('/stream')) {
        expect((await t.app.inject({ method: 'HEAD', url })).statusCode, `HEAD ${route.url} without token`).toBe(401);
      }

      const wrong = await t.app.inject({ method, url, headers: { authorization: 'Bearer shp_not-a-real-token' } });
      expect(wrong.statusCode, `${route.method} ${route.url} with a wrong token`).toBe(401);
      expect(wrong.json().error.code).toBe('auth.token_invalid');

      const below = BELOW[route.minRole];
      if (below) {
        const low = await t.api({ method, url, role: below });
        expect(low.statusCode, `${route.method} ${route.url} with role ${below}`).toBe(403);
        expect(low.json().error.code).toBe('auth.role_too_low');
      }
      // A live stream never ends: take its status and close it.
      const streamed = url.endsWith('/stream');
      const enough = await t.api({ method, url, role: route.minRole, ...(streamed ? { payloadAsStream: true } : {}) });
      if (streamed) enough.stream().destroy();
      expect([401, 403], `${route.method} ${route.url} with role ${route.minRole}`).not.toContain(enough.statusCode);
    }
  });

  it('states the role in the OpenAPI document', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(doc.paths['/api/v1/tokens'].post.description).toContain('`admin`');
    expect(doc.paths['/api/v1/deploys'].get.description).toContain('`read`');
  });

  it('creates a token whose secret is shown once, lists tokens without secrets, and revokes', async () => {
    const created = await t.api({ method: 'POST', url: '/api/v1/tokens', payload: { name: 'ci', role: 'read' } });
    expect(created.statusCode).toBe(201);
    const { id, token } = created.json();
    expect(token).toMatch(/^shp_/);

    const list = await t.api({ method: 'GET', url: '/api/v1/tokens' });
    expect(list.body).not.toContain(token);
    expect(list.body).not.toContain('hash');
    expect(list.json().items.find((x: { id: string }) => x.id === id)).toMatchObject({ name: 'ci', role: 'read', revokedAt: null });

    const asCi = () => t.app.inject({ method: 'GET', url: '/api/v1/deploys', headers: { authorization: `Bearer ${token}` } });
    expect((await asCi()).statusCode).toBe(200);
    expect((await t.api({ method: 'DELETE', url: `/api/v1/tokens/${id}` })).json().revokedAt).not.toBeNull();
    expect((await asCi()).statusCode).toBe(401);
  });

  it('stores only a hash of each token', async () => {
    const rows = await t.store.db.kysely.selectFrom('api_tokens').select('token_hash').execute();
    for (const row of rows) expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
    const all = JSON.stringify(rows);
    for (const token of Object.values(t.tokens)) expect(all).not.toContain(token);
  });
});

describe('route registration', () => {
  it('refuses an /api/v1 route that does not state its role', async () => {
    const app = Fastify();
    registerAuth(app, { authenticate: async () => undefined } as never);
    expect(() => app.get('/api/v1/forgotten', async () => 'open')).toThrow(/minRole/);
    await app.close();
  });
});
