// The OpenAPI document of a fully wired Shipline (every connection type and its inbound webhooks),
// built over a throw-away SQLite store: what docs/api.md is generated from.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRuntime } from '../src/runtime.js';
import type { OpenApiDocument } from '../src/server/api-docs.js';
import { buildApp } from '../src/server/app.js';
import { openStore } from '../src/store/index.js';

export async function openApiDocument(): Promise<OpenApiDocument> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipline-api-docs-'));
  const store = openStore({ dataDir, masterKey: Buffer.alloc(32, 1).toString('base64') });
  try {
    await store.migrate();
    const publicUrl = 'http://shipline.example';
    const runtime = createRuntime({ store, workers: 1, allowHosts: [], scriptsEnabled: false, publicUrl: () => publicUrl });
    const app = await buildApp({
      store,
      config: { publicUrl, bodyLimit: 1024 * 1024 },
      registry: runtime.registry,
      engine: runtime.engine,
      connections: runtime.connections,
    });
    const document = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json<OpenApiDocument>();
    await app.close();
    await runtime.close();
    return document;
  } finally {
    await store.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
