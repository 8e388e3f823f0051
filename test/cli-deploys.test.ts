import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliResult } from './support/cli-runner.js';
import { runCli, runCliIntoClosedPipe, runCliJson } from './support/cli-runner.js';
import type { TestDatabase } from './support/databases.js';
import { DIALECTS, freshDatabase } from './support/databases.js';
import type { ServerProcess } from './support/server-process.js';
import { startServer } from './support/server-process.js';

// The deploy table from the command line, and what the CLI says when the output or the server
// is not what it expects: the compiled CLI against a real server process.

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

describe.each(DIALECTS)('shipline deploys on %s', (dialect) => {
  const adminToken = randomBytes(24).toString('hex');
  let database: TestDatabase;
  let server: ServerProcess | undefined;
  let endpointUrl: string;
  const env = (extra: Record<string, string> = {}) => ({ SHIPLINE_URL: server!.url, SHIPLINE_TOKEN: adminToken, ...extra });
  const cli = (args: string[], extra: Record<string, string> = {}): Promise<CliResult> => runCli(args, env(extra));
  const record = (service: string, ...extra: string[]): Promise<CliResult> =>
    cli(['deploys', 'record', endpointUrl, '--service', service, '--deployer-name', 'Dev', ...extra]);

  beforeAll(async () => {
    if (!fs.existsSync(path.join(ROOT, 'dist', 'cli', 'index.js')))
      throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
    database = await freshDatabase(dialect);
    server = await startServer({ dataDir: database.options.dataDir, databaseUrl: database.options.databaseUrl, adminToken });
    expect((await cli(['services', 'create', 'checkout'])).code).toBe(0);
    const endpoint = await runCliJson<{ url: string }>(['endpoints', 'create', 'ci'], env());
    // localhost may resolve to ::1 while the server binds 127.0.0.1, so send to the printed address.
    endpointUrl = new URL(new URL(endpoint.url).pathname, server.url).href;
  });
  afterAll(async () => {
    if (server?.running()) await server.stop();
    await database?.drop();
  });

  // The tests share one server and run in order: later ones use the deploys earlier ones recorded.

  it("records a deploy and prints the result with the deploy's number and id", async () => {
    const ok = await record(
      'checkout',
      ...['--description', 'v1', '--deployed-at', '2025-01-01 10:00:00', '--deploy-number', '41'],
      ...['--commit-sha', 'abc123', '--commit-author-email', 'ann@example.com'],
    );
    expect(ok).toMatchObject({ code: 0, stderr: '' });
    expect(ok.stdout.trim()).toMatch(new RegExp(`^ok: deploy number 41 recorded \\(id ${ID.source}\\)$`));

    const unclaimed = await record('nightly-job', '--description', 'v2', '--deployed-at', '2025-01-02 10:00:00', '--status', 'failed');
    expect(unclaimed.code).toBe(0);
    expect(unclaimed.stdout).toMatch(
      /^no_service_found: deploy number 1 recorded \(id [0-9a-f-]{36}\)\. No service found matching alias 'nightly-job'/,
    );

    const json = await runCliJson<{ result: string; deployId: string; deployNumber: string }>(
      [
        'deploys',
        'record',
        endpointUrl,
        '--service',
        'checkout',
        '--deployer-name',
        'Dev',
        '--description',
        'v3',
        '--deployed-at',
        '2025-01-03 10:00:00',
      ],
      env(),
    );
    expect(json).toEqual({ result: 'ok', deployId: expect.stringMatching(ID), deployNumber: '42' });
  });

  it('lists deploys with their ID, STATUS and SOURCE, filtered by status, source and time', async () => {
    const table = await cli(['deploys', 'list']);
    expect(table.code).toBe(0);
    const [header, ...rows] = table.stdout.trim().split('\n');
    expect(header).toMatch(/^ID\s+DEPLOYED AT\s+SERVICE\s+ENVIRONMENT\s+NUMBER\s+STATUS\s+SOURCE\s+DEPLOYER\s+DESCRIPTION$/);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatch(
      new RegExp(`^${ID.source}\\s+2025-01-03T10:00:00.000Z\\s+checkout\\s+-\\s+42\\s+succeeded\\s+custom\\s+Dev\\s+v3$`),
    );

    const descriptions = async (...filters: string[]) =>
      (await runCliJson<{ items: Array<{ description: string }> }>(['deploys', 'list', ...filters], env())).items.map((d) => d.description);
    expect(await descriptions('--status', 'failed')).toEqual(['v2']);
    expect(await descriptions('--source', 'custom')).toEqual(['v3', 'v2', 'v1']);
    expect(await descriptions('--source', 'octopus')).toEqual([]);
    expect(await descriptions('--since', '2025-01-02', '--until', '2025-01-02 23:59:59')).toEqual(['v2']);
    expect(await descriptions('--since', '2025-01-02T11:00:00+01:00')).toEqual(['v3', 'v2']);
  });

  it('refuses a bad --since, --until or --status before any request, naming the option', async () => {
    for (const [option, value] of [
      ['--since', 'yesterday'],
      ['--until', '2025-02-30'],
      ['--status', 'done'],
    ]) {
      const result = await cli(['deploys', 'list', option!, value!]);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(`option '${option} <`);
      expect(result.stderr).toContain(`argument '${value}' is invalid`);
    }
  });

  it('says a service filter matches no service and no alias deploys used, and exits 1', async () => {
    const missing = await cli(['deploys', 'list', '--service', 'nope']);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr.trim()).toBe("Error (service.not_found): No service matches 'nope', and no deploy was recorded under that alias");
    // An alias no service claims yet is known by its deploys.
    const unclaimed = await cli(['deploys', 'list', '--service', 'nightly-job']);
    expect(unclaimed.code).toBe(0);
    expect(unclaimed.stdout).toContain('nightly-job (no service)');
  });

  it('shows one deploy with every field, its failure mark and the runs of its events; --json gives the body', async () => {
    const [v1] = (await runCliJson<{ items: Array<{ id: string }> }>(['deploys', 'list', '--until', '2025-01-01 10:00:00'], env())).items;
    expect((await cli(['deploys', 'mark-failed', v1!.id, '--reason', 'rolled back'])).code).toBe(0);

    const shown = await cli(['deploys', 'show', v1!.id]);
    expect(shown).toMatchObject({ code: 0, stderr: '' });
    // One `Label: value` line per field, the values aligned.
    for (const [label, value] of [
      ['ID', v1!.id],
      ['Number', '41'],
      ['Status', 'failed (marked; its source reported succeeded)'],
      ['Source', 'custom'],
      ['Endpoint', 'ci'],
      ['Description', 'v1'],
      ['Deployed at', '2025-01-01T10:00:00.000Z'],
      ['Deployer', 'Dev'],
      ['Environment', '-'],
      ['Commit', 'abc123'],
      ['Author', 'ann@example.com'],
      ['Reason', 'rolled back'],
    ]) {
      expect(shown.stdout).toMatch(new RegExp(`^${label}: +${value!.replace(/[()]/g, '\\$&')}$`, 'm'));
    }
    expect(shown.stdout).toContain('No reaction ran for its events.');
    expect(shown.stdout).toMatch(/^Service: +checkout \([0-9a-f-]{36}\)$/m);

    const json = await runCliJson<{ id: string; status: string; reportedStatus: string; failure: { reason: string } }>(
      ['deploys', 'show', v1!.id],
      env(),
    );
    expect(json).toMatchObject({ id: v1!.id, status: 'failed', reportedStatus: 'succeeded', failure: { reason: 'rolled back' } });

    const unknown = await cli(['deploys', 'show', 'no-such-deploy']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('Error (deploy.not_found):');
  });

  it('exits quietly with status 0 when the reader closes the pipe (shipline deploys list | head -1)', async () => {
    for (const args of [['deploys', 'list'], ['deploys', 'list', '--json'], ['services', 'list'], ['--help']]) {
      expect(await runCliIntoClosedPipe(args, env())).toEqual({ code: 0, stderr: '' });
    }
  });

  it('shows no subscription for a connection type that keeps none', async () => {
    const created = await fetch(`${server!.url}/api/v1/connections`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'slack',
        name: 'chat',
        config: {},
        secrets: { webhookUrl: 'https://hooks.slack.com/services/T0/B0/x' },
      }),
    });
    expect(created.status).toBe(201);

    const list = await cli(['connections', 'list']);
    expect(list.code).toBe(0);
    const [header, row] = list.stdout.trim().split('\n');
    expect(header).toMatch(/^NAME\s+TYPE\s+STATUS\s+SPACE\s+SUBSCRIPTION$/);
    expect(row).toMatch(/^chat\s+slack\s+\S+\s+-\s+-$/);
    const shown = await cli(['connections', 'show', 'chat']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).not.toContain('Subscription');
  });
});

describe('shipline against a URL that is not a Shipline API', () => {
  let site: http.Server;
  let siteUrl: string;
  const cli = (url: string) => runCli(['deploys', 'list'], { SHIPLINE_URL: url, SHIPLINE_TOKEN: 'shp_any' });

  beforeAll(async () => {
    // A web server as a wrong URL finds one: a page for every path, a 404 page under /missing.
    site = http.createServer((request, response) => {
      response.writeHead(request.url?.startsWith('/missing/') ? 404 : 200, { 'content-type': 'text/html; charset=utf-8' });
      response.end('<!doctype html><title>Router login</title>');
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => site.close(() => resolve())));

  it('says that a URL answering HTML is not a Shipline API, naming it', async () => {
    const page = await cli(`${siteUrl}/admin/`);
    expect(page.code).toBe(1);
    expect(page.stderr.trim()).toBe(
      `${siteUrl}/admin is not a Shipline API: /api/v1/deploys answered HTTP 200 OK with text/html, not Shipline's JSON (check SHIPLINE_URL or --url)`,
    );
    const missing = await cli(`${siteUrl}/missing`);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(
      `${siteUrl}/missing is not a Shipline API: /api/v1/deploys answered HTTP 404 Not Found with text/html`,
    );
  });

  it('shows a malformed URL and what is wrong with it, hiding a password', async () => {
    const cases: Array<[string, string]> = [
      ['localhost:8080', "SHIPLINE_URL 'localhost:8080' must start with http:// or https://"],
      ['http://shipline:99999', "SHIPLINE_URL 'http://shipline:99999' is not a URL (its host or port is malformed)"],
      ['shipline.example.com', "SHIPLINE_URL 'shipline.example.com' is not a URL (it has no http:// or https://)"],
      ['http://me:hunter2@shipline', "SHIPLINE_URL 'http://me:***@shipline' must not hold a user name or password"],
      ['http://shipline/?x=1', "SHIPLINE_URL 'http://shipline/?x=1' must not hold a query"],
    ];
    for (const [url, message] of cases) {
      const result = await cli(url);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(message);
      expect(result.stderr).not.toContain('hunter2');
    }
    const flag = await runCli(['--url', 'ftp://shipline', 'deploys', 'list'], { SHIPLINE_TOKEN: 'shp_any' });
    expect(flag.stderr).toContain("--url 'ftp://shipline' must start with http:// or https://");
  });
});
