import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, runCliWithInput } from './support/cli-runner.js';
import type { TestDatabase } from './support/databases.js';
import { DIALECTS, freshDatabase } from './support/databases.js';
import type { ServerProcess } from './support/server-process.js';
import { startServer } from './support/server-process.js';

// Secrets as an operator manages them: the compiled CLI against a real server process.

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const VALUE = 'dd-api-key-0123456789';

describe.each(DIALECTS)('shipline secrets against a running server on %s', (dialect) => {
  const adminToken = randomBytes(24).toString('hex');
  let database: TestDatabase;
  let server: ServerProcess | undefined;
  const env = () => ({ SHIPLINE_URL: server!.url, SHIPLINE_TOKEN: adminToken });

  beforeAll(async () => {
    if (!fs.existsSync(path.join(ROOT, 'dist', 'cli', 'index.js')))
      throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
    database = await freshDatabase(dialect);
    server = await startServer({ dataDir: database.options.dataDir, databaseUrl: database.options.databaseUrl, adminToken });
  });
  afterAll(async () => {
    if (server?.running()) await server.stop();
    await database?.drop();
  });

  it('binds a secret to hosts with --host, keeps them on rotation, lists them, and unbinds with --any-host', async () => {
    const set = await runCliWithInput(
      ['secrets', 'set', 'DD_API_KEY', '--host', 'api.datadoghq.com', '--host', '*.datadoghq.eu'],
      env(),
      `${VALUE}\n`,
    );
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain('Created secret DD_API_KEY, bound to api.datadoghq.com, *.datadoghq.eu');

    const rotated = await runCliWithInput(['secrets', 'set', 'DD_API_KEY', '--json'], env(), 'rotated-value-42\n');
    expect(JSON.parse(rotated.stdout)).toMatchObject({ name: 'DD_API_KEY', hosts: ['api.datadoghq.com', '*.datadoghq.eu'] });

    const list = await runCli(['secrets', 'list'], env());
    expect(list.stdout).toMatch(/DD_API_KEY\s+api\.datadoghq\.com, \*\.datadoghq\.eu/);

    const refused = await runCliWithInput(['secrets', 'set', 'DD_API_KEY', '--host', 'https://api.datadoghq.com/'], env(), `${VALUE}\n`);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('secret.invalid');

    const both = await runCliWithInput(['secrets', 'set', 'DD_API_KEY', '--host', 'a.example.com', '--any-host'], env(), `${VALUE}\n`);
    expect(both.code).toBe(1);

    const unbound = await runCliWithInput(['secrets', 'set', 'DD_API_KEY', '--any-host'], env(), `${VALUE}\n`);
    expect(unbound.stdout).toContain('Updated secret DD_API_KEY, sendable to any host');
    expect((await runCli(['secrets', 'list'], env())).stdout).toMatch(/DD_API_KEY\s+any/);
    for (const result of [set, rotated, list, refused, both, unbound]) expect(result.stdout + result.stderr).not.toContain(VALUE);
  });
});
