import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerProcess } from './support/server-process.js';
import type { CliResult } from './support/cli-runner.js';
import { runCli, runCliJson } from './support/cli-runner.js';
import { shiplineEnv, startServer } from './support/server-process.js';

// End to end: the compiled CLI (bin/shipline → dist/, built by `npm test`) against a real server
// that the CLI's own `start` command runs, both as child processes.

const ROOT = fileURLToPath(new URL('..', import.meta.url));

describe('shipline CLI against a running server', () => {
  const adminToken = randomBytes(24).toString('hex');
  let dataDir: string;
  let server: ServerProcess | undefined;
  let serverUrl: string;
  let endpointUrl: string;

  const cli = (args: string[], env: Record<string, string> = {}): Promise<CliResult> =>
    runCli(args, { SHIPLINE_URL: serverUrl, SHIPLINE_TOKEN: adminToken, ...env });
  const cliJson = <T>(args: string[]): Promise<T> => runCliJson<T>(args, { SHIPLINE_URL: serverUrl, SHIPLINE_TOKEN: adminToken });

  function record(service: string, ...extra: string[]): Promise<CliResult> {
    return cli(['deploys', 'record', endpointUrl, '--service', service, '--description', 'Release 1.2.3', ...extra]);
  }

  beforeAll(async () => {
    if (!fs.existsSync(path.join(ROOT, 'dist', 'cli', 'index.js'))) {
      throw new Error('dist/cli/index.js is missing: run `npm run build` first (npm test does)');
    }
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipline-cli-'));
    server = await startServer({ dataDir, adminToken });
    serverUrl = server.url;
  });

  afterAll(async () => {
    if (server?.running()) {
      await server.stop();
    }
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  // The tests share one server and run in order: later ones use what earlier ones created.

  it('creates a service and lists it, as JSON and as a table', async () => {
    const created = await cli(['services', 'create', 'checkout', '--alias', 'checkout-api', '--tag', 'pci', '--owner', 'payments']);
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('checkout-api');

    const list = await cliJson<{ items: Array<{ name: string; aliases: string[]; tags: string[]; owner: string }> }>(['services', 'list']);
    const checkout = list.items.find((s) => s.name === 'checkout');
    expect(checkout).toMatchObject({ owner: 'payments', tags: ['pci'] });
    expect(checkout!.aliases).toEqual(expect.arrayContaining(['checkout', 'checkout-api']));

    const table = await cli(['services', 'list']);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+ALIASES\s+OWNER\s+TAGS$/);
    expect(table.stdout).toMatch(/checkout\s+checkout, checkout-api\s+payments\s+pci/);
  });

  it('shows a service by alias and reports an unknown one with its error code', async () => {
    const shown = await cliJson<{ name: string }>(['services', 'show', 'checkout-api']);
    expect(shown.name).toBe('checkout');

    const missing = await cli(['services', 'show', 'no-such-service']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('Error (service.not_found):');
  });

  it('creates a deploy endpoint whose URL accepts deploys', async () => {
    const endpoint = await cliJson<{ id: string; name: string; url: string }>(['endpoints', 'create', 'ci']);
    expect(endpoint.name).toBe('ci');
    expect(endpoint.url).toMatch(new RegExp(`/integrations/deploy/${endpoint.id}$`));
    // With SHIPLINE_PORT=0 the default public URL names the port actually picked.
    expect(new URL(endpoint.url).port).toBe(new URL(serverUrl).port);
    // localhost may resolve to ::1 while the server binds 127.0.0.1, so send to the printed address.
    endpointUrl = new URL(new URL(endpoint.url).pathname, serverUrl).href;

    const listed = await cliJson<{ items: Array<{ id: string }> }>(['endpoints', 'list']);
    expect(listed.items.map((e) => e.id)).toContain(endpoint.id);
  });

  it('records a deploy, then answers duplicate_deploy for the same dedup id', async () => {
    const args = ['--deployer-email', 'dev@example.com', '--env', 'Production', '--dedup-id', 'X', '--commit-sha', 'abc123'];
    const first = await record('checkout-api', ...args);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout.trim()).toMatch(/^ok: deploy number 1 recorded \(id [0-9a-f-]{36}\)$/);

    const again = await record('checkout-api', ...args);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('duplicate_deploy');
  });

  it("names a deploy's endpoint, never its id, in deploys and events, and filters deploys by the endpoint's name", async () => {
    const endpointId = new URL(endpointUrl).pathname.split('/').pop()!;
    const byEndpoint = await cliJson<{ items: Array<{ endpoint: string }> }>(['deploys', 'list', '--endpoint', 'ci']);
    expect(byEndpoint.items.map((d) => d.endpoint)).toEqual(['ci']);
    expect((await cliJson<{ items: unknown[] }>(['deploys', 'list', '--endpoint', 'elsewhere'])).items).toHaveLength(0);
    const events = await cli(['events', 'list']);
    expect(events.stdout).toContain('deploy-endpoint:ci');
    expect(events.stdout).not.toContain(endpointId);
  });

  it('lists the recorded deploy for its service alias, once', async () => {
    const page = await cliJson<{ items: Array<Record<string, unknown>> }>(['deploys', 'list', '--service', 'checkout-api']);
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({
      service: { name: 'checkout' },
      serviceAlias: 'checkout-api',
      environment: 'Production',
      description: 'Release 1.2.3',
      dedupId: 'X',
      deployer: { email: 'dev@example.com' },
      commit: { sha: 'abc123' },
    });

    const other = await cliJson<{ items: unknown[] }>(['deploys', 'list', '--service', 'checkout-api', '--env', 'Staging']);
    expect(other.items).toEqual([]);
  });

  it('records a deploy for an unknown alias as no_service_found and suggests the alias', async () => {
    const result = await record('ghost-service', '--deployer-name', 'Dev');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('no_service_found');

    const suggestions = await cliJson<{ items: Array<{ alias: string; deployCount: number }> }>(['suggestions', 'list']);
    expect(suggestions.items).toContainEqual(expect.objectContaining({ alias: 'ghost-service', deployCount: 1 }));
  });

  it('accepts a suggestion onto an existing service, moving its deploys there', async () => {
    const accepted = await cli(['suggestions', 'accept', 'ghost-service', '--service', 'checkout']);
    expect(accepted.code).toBe(0);
    expect(accepted.stdout).toContain('checkout');

    const suggestions = await cliJson<{ items: Array<{ alias: string }> }>(['suggestions', 'list']);
    expect(suggestions.items.map((s) => s.alias)).not.toContain('ghost-service');
    // The alias now resolves to checkout, so the list holds all of its deploys.
    const page = await cliJson<{ items: Array<{ serviceAlias: string; service: { name: string } | null }> }>([
      'deploys',
      'list',
      '--service',
      'ghost-service',
    ]);
    const ghost = page.items.filter((d) => d.serviceAlias === 'ghost-service');
    expect(ghost.map((d) => d.service?.name)).toEqual(['checkout']);
  });

  it('fails with the webhook error when no deployer is given', async () => {
    const result = await record('checkout-api');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('Deployer Error: param is missing or the value is empty: deployer');
  });

  it('fails without printing the URL path when the deploy endpoint is unreachable', async () => {
    const secretPath = '/integrations/deploy/00000000-0000-4000-8000-000000000000';
    const result = await cli([
      'deploys',
      'record',
      `http://127.0.0.1:1${secretPath}`,
      '--service',
      'x',
      '--description',
      'y',
      '--deployer-name',
      'z',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Cannot reach http://127.0.0.1:1');
    expect(result.stderr).not.toContain(secretPath);
  });

  it('rejects a bad token with its error code, without echoing the token', async () => {
    const badToken = 'shp_not-a-real-token-0123456789';
    const result = await cli(['services', 'list'], { SHIPLINE_TOKEN: badToken });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Error (auth.token_invalid):');
    expect(result.stderr + result.stdout).not.toContain(badToken);

    // --token wins over SHIPLINE_TOKEN: the valid admin token in the environment is not used.
    const flag = await cli(['--token', badToken, 'services', 'list']);
    expect(flag.code).toBe(1);
    expect(flag.stderr).toContain('auth.token_invalid');
  });

  it('creates a token whose secret works, then revokes it', async () => {
    const created = await cli(['token', 'create', '--role', 'read', '--name', 'reader']);
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('shown once');
    const secret = /(shp_\S+)/.exec(created.stdout)?.[1];
    expect(secret).toBeDefined();

    const asReader = await cli(['services', 'list', '--json'], { SHIPLINE_TOKEN: secret! });
    expect(asReader.code).toBe(0);
    const tooLow = await cli(['endpoints', 'create', 'nope'], { SHIPLINE_TOKEN: secret! });
    expect(tooLow.stderr).toContain('Error (auth.role_too_low):');

    const tokens = await cliJson<{ items: Array<{ id: string; name: string }> }>(['token', 'list']);
    const id = tokens.items.find((t) => t.name === 'reader')!.id;
    expect((await cli(['token', 'revoke', id])).code).toBe(0);
    const revoked = await cli(['services', 'list'], { SHIPLINE_TOKEN: secret! });
    expect(revoked.stderr).toContain('auth.token_invalid');
  });

  it('rejects a missing required option before any request', async () => {
    const result = await cli(['token', 'create', '--name', 'x']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("required option '--role <role>' not specified");
  });

  it('stops the server gracefully on SIGTERM, closing the store: the last connection removes the WAL', async () => {
    expect((await server!.stop()).code).toBe(0);
    expect(fs.existsSync(path.join(dataDir, 'shipline.db'))).toBe(true);
    expect(fs.existsSync(path.join(dataDir, 'shipline.db-wal'))).toBe(false);
  });
});

describe('shipline migrate', () => {
  it('migrates a new embedded store and closes it before exiting (no WAL left behind)', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipline-migrate-'));
    try {
      const result = await runCli(['migrate'], { SHIPLINE_DATA_DIR: dataDir });
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/0001/);
      expect(fs.existsSync(path.join(dataDir, 'shipline.db'))).toBe(true);
      expect(fs.existsSync(path.join(dataDir, 'shipline.db-wal'))).toBe(false);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('shipline start and signals', () => {
  it('stops gracefully on a SIGTERM that arrives as soon as the port takes connections, before the start has finished', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipline-signal-'));
    const port = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(free));
      });
    });
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'shipline'), 'start'], {
      cwd: ROOT,
      env: shiplineEnv({ SHIPLINE_PORT: String(port), SHIPLINE_HOST: '127.0.0.1', SHIPLINE_DATA_DIR: dataDir, SHIPLINE_LOG_LEVEL: 'warn' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    try {
      const deadline = Date.now() + 20_000;
      for (;;) {
        // The first moment the port takes a connection: the server listens, the start goes on.
        const ready = await new Promise<boolean>((resolve) => {
          const socket = net.connect(port, '127.0.0.1', () => resolve(true));
          socket.once('error', () => resolve(false));
          socket.once('connect', () => socket.destroy());
        });
        if (ready) break;
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`never ready:\n${output}`);
      }
      child.kill('SIGTERM');
      expect(await exited, output).toEqual({ code: 0, signal: null });
      expect(output).toContain('Received SIGTERM, shutting down');
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 30_000);
});
