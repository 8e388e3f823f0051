import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/server/app.js';
import { openStore } from '../src/store/index.js';
import type { Store } from '../src/store/index.js';
import { freshDatabase } from './support/databases.js';
import type { TestDatabase } from './support/databases.js';

// The server's side of the web UI, over a made-up build so it does not depend on `npm run build`.
describe('serving the web UI', () => {
  let database: TestDatabase;
  let store: Store;
  let built: FastifyInstance;
  let unbuilt: FastifyInstance;
  let webRoot: string;

  beforeAll(async () => {
    webRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'shipline-web-'));
    fs.mkdirSync(path.join(webRoot, 'assets'));
    fs.writeFileSync(
      path.join(webRoot, 'index.html'),
      '<!doctype html><div id="root"></div><script type="module" src="/assets/index-abc123.js"></script>',
    );
    fs.writeFileSync(path.join(webRoot, 'assets', 'index-abc123.js'), 'console.log("ui")');
    fs.writeFileSync(path.join(webRoot, 'theme.js'), '// theme');
    database = await freshDatabase('sqlite');
    store = openStore(database.options);
    await store.migrate();
    const config = { publicUrl: 'http://shipline.test', bodyLimit: 1024 * 1024 };
    built = await buildApp({ store, config, webRoot });
    unbuilt = await buildApp({ store, config, webRoot: path.join(webRoot, 'missing') });
  });
  afterAll(async () => {
    await built.close();
    await unbuilt.close();
    await store.close();
    await database.drop();
    fs.rmSync(webRoot, { recursive: true, force: true });
  });

  it('answers / and every UI path with index.html, uncached, under a strict content security policy', async () => {
    for (const url of ['/', '/deploys', '/runs/0192-abc?tab=steps', '/reactions/promote%20it']) {
      const res = await built.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body).toContain('<div id="root"></div>');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    }
  });

  it('serves hashed assets cached for a year, and other files revalidated', async () => {
    const asset = await built.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.body).toBe('console.log("ui")');
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const theme = await built.inject({ method: 'GET', url: '/theme.js' });
    expect(theme.statusCode).toBe(200);
    expect(theme.headers['cache-control']).toBe('no-cache');
  });

  it('answers HEAD, byte ranges and revalidation of a file as a file server does', async () => {
    const url = '/assets/index-abc123.js';
    const head = await built.inject({ method: 'HEAD', url });
    expect(head.statusCode).toBe(200);
    expect(head.headers['content-length']).toBe('17');
    expect(head.headers['content-type']).toMatch(/^application\/javascript/);
    expect(head.body).toBe('');
    const range = await built.inject({ method: 'GET', url, headers: { range: 'bytes=0-6' } });
    expect(range.statusCode).toBe(206);
    expect(range.headers['content-range']).toBe('bytes 0-6/17');
    expect(range.body).toBe('console');
    const etag = String((await built.inject({ method: 'GET', url })).headers.etag);
    const again = await built.inject({ method: 'GET', url, headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    // A file name with a query string is still the file; a trailing slash makes it a UI path.
    expect((await built.inject({ method: 'GET', url: `${url}?v=2` })).body).toBe('console.log("ui")');
    expect((await built.inject({ method: 'GET', url: `${url}/` })).body).toContain('<div id="root"></div>');
  });

  it('keeps unknown API and receiver paths JSON 404s', async () => {
    const api = await built.inject({ method: 'GET', url: '/api/v1/nothing-here' });
    expect(api.statusCode).toBe(404);
    expect(api.json()).toMatchObject({ error: { code: 'route.not_found' } });
    const ingest = await built.inject({ method: 'GET', url: '/integrations/deploy/abc' });
    expect(ingest.statusCode).toBe(404);
    expect(ingest.json()).toMatchObject({ errors: [{ status: 404 }] });
    for (const url of ['/auth/nothing', '/hooks/x/y']) expect((await built.inject({ method: 'GET', url })).statusCode, url).toBe(404);
    // A POST to a UI path is no page: the usual 404.
    expect((await built.inject({ method: 'POST', url: '/deploys', payload: {} })).statusCode).toBe(404);
  });

  it('says how to build the UI when there is no build, and still serves the API', async () => {
    const res = await unbuilt.inject({ method: 'GET', url: '/deploys' });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('npm run build');
    expect((await unbuilt.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });
});
