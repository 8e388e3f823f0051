import net from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnServer } from '../support/child-server.js';
import type { ServerChild } from '../support/child-server.js';
import { runCli } from '../support/cli-runner.js';
import type { DialectName, TestDatabase } from '../support/databases.js';
import { DIALECTS, freshDatabase } from '../support/databases.js';
import { TEST_MASTER_KEY } from '../support/runtime.js';
import { shiplineEnv } from '../support/server-process.js';
import { eventually } from '../support/sink.js';

// The first admin token is the way in to a new installation. A first start that fails (port 8080
// is often taken) must not keep a token nobody saw, or every later start, finding an admin,
// prints none and the installation is locked. And an operator who lost it gets a new one from
// the store itself: `shipline admin reset-token`.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const READY = /Shipline listening on (http:\/\/\S+) \(store: [^)\n]*\)/;
const TOKEN_LINE = /Admin API token \(shown once, keep it safe\): (shp_\S+)/;

/** The settings of a server or CLI child on this database, with no SHIPLINE_ADMIN_TOKEN. */
function settingsFor(database: TestDatabase, port: number): Record<string, string | undefined> {
  return {
    SHIPLINE_DATA_DIR: database.options.dataDir,
    DATABASE_URL: database.options.databaseUrl,
    SHIPLINE_MASTER_KEY: TEST_MASTER_KEY,
    SHIPLINE_HOST: '127.0.0.1',
    SHIPLINE_PORT: String(port),
    SHIPLINE_LOG_LEVEL: 'warn',
  };
}

function start(database: TestDatabase): Promise<ServerChild> {
  return spawnServer({
    name: 'Shipline',
    args: [path.join(ROOT, 'bin', 'shipline'), 'start'],
    cwd: ROOT,
    env: shiplineEnv(settingsFor(database, 0)),
    ready: READY,
    readyTimeoutMs: 20_000,
  });
}

/** The token the server printed after its listening line (written separately, so polled for). */
function printedToken(server: ServerChild): Promise<string> {
  return eventually(async () => TOKEN_LINE.exec(server.output())?.[1], 5_000, 'the admin token line');
}

async function status(url: string, token: string): Promise<number> {
  return (await fetch(`${url}/api/v1/tokens`, { headers: { authorization: `Bearer ${token}` } })).status;
}

function occupyPort(): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

describe.each(DIALECTS)('the first admin token on %s', (dialect: DialectName) => {
  let database: TestDatabase | undefined;
  let server: ServerChild | undefined;
  let busy: net.Server | undefined;

  afterEach(async () => {
    await server?.stop();
    await new Promise((resolve) => (busy ? busy.close(resolve) : resolve(undefined)));
    await database?.drop();
    [server, busy, database] = [undefined, undefined, undefined];
  });

  it('a first start on a busy port keeps no unseen admin token: the next start prints one that works', { timeout: 60_000 }, async () => {
    database = await freshDatabase(dialect);
    busy = await occupyPort();
    const failed = await runCli(['start'], settingsFor(database, (busy.address() as net.AddressInfo).port));
    expect(failed.code, failed.stdout + failed.stderr).not.toBe(0);
    expect(failed.stderr).toContain('is in use: pick another with SHIPLINE_PORT');
    expect(failed.stdout).not.toMatch(/shp_/);

    server = await start(database);
    const token = await printedToken(server);
    expect(await status(server.url, token)).toBe(200);
  });

  it(
    'shipline admin reset-token, run against the store while the server runs, prints a working token and revokes the first one',
    { timeout: 60_000 },
    async () => {
      database = await freshDatabase(dialect);
      server = await start(database);
      const first = await printedToken(server);
      expect(await status(server.url, first)).toBe(200);

      // The CLI has no API URL or token: it works on the store the server uses.
      const reset = await runCli(['admin', 'reset-token'], settingsFor(database, 0));
      expect(reset.code, reset.stderr).toBe(0);
      const recovered = TOKEN_LINE.exec(reset.stdout)?.[1];
      expect(recovered, reset.stdout).toBeDefined();
      expect(reset.stdout).toContain('Revoked admin (first start) token');
      expect(await status(server.url, recovered!)).toBe(200);
      expect(await status(server.url, first)).toBe(401);

      // A second reset revokes the first reset's token too.
      const again = await runCli(['admin', 'reset-token', '--json'], settingsFor(database, 0));
      expect(again.code, again.stderr).toBe(0);
      const body = JSON.parse(again.stdout) as { token: string; name: string; revoked: Array<{ name: string }> };
      expect(body).toMatchObject({ name: 'admin (recovery)', role: 'admin', revoked: [{ name: 'admin (recovery)' }] });
      expect(await status(server.url, body.token)).toBe(200);
      expect(await status(server.url, recovered!)).toBe(401);
    },
  );

  it('shipline admin reset-token refuses a store that does not exist, and creates none', { timeout: 60_000 }, async () => {
    database = await freshDatabase(dialect);
    const settings = settingsFor(database, 0);
    // SQLite: an empty directory; PostgreSQL: a database Shipline never started on.
    if (dialect === 'sqlite') settings.SHIPLINE_DATA_DIR = path.join(database.options.dataDir, 'not-here');
    const refused = await runCli(['admin', 'reset-token'], settings);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/No Shipline store/);
    expect(refused.stdout).not.toMatch(/shp_/);
    if (dialect === 'sqlite') {
      expect(fs.existsSync(settings.SHIPLINE_DATA_DIR!)).toBe(false);
    } else {
      const client = new pg.Client({ connectionString: database.options.databaseUrl });
      await client.connect();
      try {
        const { rows } = await client.query<{ n: string }>(
          "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'public'",
        );
        expect(Number(rows[0]!.n)).toBe(0);
      } finally {
        await client.end();
      }
    }
  });
});
