import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, freshDatabase } from './support/databases.js';
import type { TestDatabase } from './support/databases.js';
import type { ServerProcess } from './support/server-process.js';
import { startServer } from './support/server-process.js';

// `npm run build` bundles the server (scripts/bundle-server.ts): `shipline start` loads one file
// for Shipline's own modules, TypeBox and Kysely instead of ~1,200, and serves as before.

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LOADER = pathToFileURL(path.join(ROOT, 'test', 'support', 'module-log-loader.mjs')).href;

describe.each(DIALECTS)('shipline start from the bundled server on %s', (dialect) => {
  const adminToken = randomBytes(24).toString('hex');
  let database: TestDatabase;
  let logDir: string;
  let server: ServerProcess | undefined;
  let loaded: string[];

  beforeAll(async () => {
    database = await freshDatabase(dialect);
    logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipline-modules-'));
    const log = path.join(logDir, 'modules.log');
    server = await startServer({
      dataDir: database.options.dataDir,
      databaseUrl: database.options.databaseUrl,
      adminToken,
      env: { NODE_OPTIONS: `--no-warnings --experimental-loader ${LOADER}`, SHIPLINE_TEST_MODULE_LOG: log },
    });
    loaded = fs.readFileSync(log, 'utf8').split('\n').filter(Boolean);
  });

  afterAll(async () => {
    if (server?.running()) await server.stop();
    if (logDir) fs.rmSync(logDir, { recursive: true, force: true });
    await database?.drop();
  });

  it("loads the server's modules, TypeBox and Kysely from the one bundled file", () => {
    const dist = pathToFileURL(path.join(ROOT, 'dist')).href;
    const own = loaded.filter((url) => url.startsWith(`${dist}/`)).map((url) => url.slice(dist.length + 1));
    expect(own).toContain('bundle/main.js');
    // The CLI loads its own modules (and a few of core's) first; nothing of the server's is loaded outside the bundle.
    expect(own.filter((file) => /^(main|runtime)\.js$|^(server|store|engine|actions|connections)\//.test(file))).toEqual([]);
    expect(loaded.filter((url) => /\/node_modules\/(typebox|kysely)\//.test(url))).toEqual([]);
  });

  it('loads the OpenAPI plugins, yaml and the static file server when first needed, not at start (decision 0047)', async () => {
    const docsModules = (urls: string[]) =>
      urls.filter((url) => /\/node_modules\/(@fastify\/(swagger|swagger-ui|static)|yaml)\//.test(url));
    expect(docsModules(loaded)).toEqual([]);
    const document = await fetch(`${server!.url}/api/openapi.json`);
    expect(document.status).toBe(200);
    expect(((await document.json()) as { paths: Record<string, unknown> }).paths).toHaveProperty('/api/v1/services');
    const ui = await fetch(`${server!.url}/api/docs`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger-ui');
    const log = fs.readFileSync(path.join(logDir, 'modules.log'), 'utf8').split('\n');
    expect(docsModules(log).some((url) => url.includes('/@fastify/swagger-ui/'))).toBe(true);
  });

  it('loads prom-client at the first scrape of /metrics, not at start (decision 0061)', async () => {
    const promClient = (urls: string[]) => urls.filter((url) => /\/node_modules\/prom-client\//.test(url));
    expect(promClient(loaded)).toEqual([]);
    const metrics = await fetch(`${server!.url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^process_resident_memory_bytes \d/m);
    const log = fs.readFileSync(path.join(logDir, 'modules.log'), 'utf8').split('\n');
    expect(promClient(log)).not.toEqual([]);
  });

  it('answers as an unbundled server does: ready, the API, and the web UI from dist/web', async () => {
    expect((await fetch(`${server!.url}/readyz`)).status).toBe(200);
    const services = await fetch(`${server!.url}/api/v1/services`, { headers: { authorization: `Bearer ${adminToken}` } });
    expect(services.status).toBe(200);
    expect(await services.json()).toMatchObject({ items: [] });
    const ui = await fetch(`${server!.url}/`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('<div id="root">');
  });
});
