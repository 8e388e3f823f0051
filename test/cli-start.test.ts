import net from 'node:net';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli-runner.js';
import type { TestDatabase } from './support/databases.js';
import { DIALECTS, freshDatabase } from './support/databases.js';

// `shipline start` as an operator runs it, on a port something else already holds.

describe.each(DIALECTS)('shipline start on a busy port on %s', (dialect) => {
  let database: TestDatabase;
  let holder: net.Server;
  let port: number;

  beforeAll(async () => {
    database = await freshDatabase(dialect);
    holder = net.createServer().listen(0, '127.0.0.1');
    await once(holder, 'listening');
    port = (holder.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    holder?.close();
    await database?.drop();
  });

  it('says which port is in use and how to pick another, and exits 1', async () => {
    const result = await runCli(['start'], {
      SHIPLINE_PORT: String(port),
      SHIPLINE_HOST: '127.0.0.1',
      SHIPLINE_DATA_DIR: database.options.dataDir,
      DATABASE_URL: database.options.databaseUrl,
      SHIPLINE_LOG_LEVEL: 'warn',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`Port ${port} is in use: pick another with SHIPLINE_PORT, or SHIPLINE_PORT=0 for a free one\n`);
    expect(result.stdout).not.toContain('listening');
  });
});
