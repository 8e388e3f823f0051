import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OctopusSim } from '../src/simulators/octopus/index.js';
import { startOctopusSim } from '../src/simulators/octopus/index.js';
import type { CliResult } from './support/cli-runner.js';
import { runCli } from './support/cli-runner.js';
import type { ServerProcess } from './support/server-process.js';
import { shiplineEnv, startServer } from './support/server-process.js';
import { eventually } from './support/sink.js';

// Connecting Octopus Deploy as a platform engineer does it: the CLI against a real server
// process, which talks to the Octopus stand-in running in this test process.

const BIN = fileURLToPath(new URL('../bin/shipline', import.meta.url));

interface Connection {
  name: string;
  status: string;
  error: string | null;
  space: { id: string; name: string } | null;
  webhookUrl: string;
  subscription: { id: string | null; categories: string[]; error: string | null } | null;
}

/** `ps` as any user on the machine sees it: the whole command line of a process. */
async function visibleArgs(pid: number): Promise<string> {
  const { stdout } = await promisify(execFile)('ps', ['-ww', '-o', 'args=', '-p', String(pid)]);
  return stdout;
}

/**
 * Runs the compiled CLI with `input` on stdin (runCli gives it none). Reads the process's
 * command line while the CLI still waits for its input, so tests can check what `ps` shows.
 */
function runCliWithInput(args: string[], env: Record<string, string | undefined>, input: string): Promise<CliResult & { psArgs: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { env: shiplineEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code ?? 1));
  });
  return (async () => {
    const psArgs = await visibleArgs(child.pid!);
    child.stdin.end(input);
    const code = await exited;
    return { code, stdout, stderr, psArgs };
  })();
}

describe('shipline octopus and connections commands', () => {
  const adminToken = randomBytes(24).toString('hex');
  let dataDir: string;
  let server: ServerProcess | undefined;
  let sim: OctopusSim;

  const env = (more: Record<string, string> = {}) => ({ SHIPLINE_URL: server!.url, SHIPLINE_TOKEN: adminToken, ...more });
  /** Every run is checked: the API key must never be printed, whatever the command. */
  const neverShowsKey = <T extends CliResult>(result: T): T => {
    expect(result.stdout).not.toContain(sim.apiKey);
    expect(result.stderr).not.toContain(sim.apiKey);
    return result;
  };
  const cli = async (args: string[], more?: Record<string, string>) => neverShowsKey(await runCli(args, env(more)));
  const cliWithInput = async (args: string[], input: string) => neverShowsKey(await runCliWithInput(args, env(), input));
  const json = async <T>(args: string[]) => {
    const result = await cli([...args, '--json']);
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as T;
  };
  const connect = (name: string, ...more: string[]) => ['octopus', 'connect', '--name', name, '--octopus-url', sim.url, ...more];

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipline-cli-octopus-'));
    sim = await startOctopusSim();
    // The stand-in listens on 127.0.0.1, which Shipline's outbound HTTP refuses unless allowed.
    server = await startServer({ dataDir, adminToken, env: { SHIPLINE_ALLOW_HOSTS: '127.0.0.1' } });
  });

  afterAll(async () => {
    if (server?.running()) await server.stop();
    await sim?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('connects with the key from the variable --api-key-env names: ready, the default space, then a subscription', async () => {
    const result = await cli([...connect('prod', '--api-key-env', 'OCTO_KEY')], { OCTO_KEY: sim.apiKey });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Status:\s+ready/);
    expect(result.stdout).toMatch(/Space:\s+Default \(Spaces-1\)/);
    expect(result.stdout).toMatch(/Version:\s+\d+\.\d+\.\d+/);
    // SHIPLINE_PUBLIC_URL is unset, so the URL names localhost and the server's port.
    expect(result.stdout).toMatch(
      new RegExp(`Webhook URL:\\s+http://localhost:${new URL(server!.url).port}/hooks/octopus/[0-9a-f-]{36}\n`),
    );
    expect(result.stdout).not.toMatch(/Error:/);

    // The subscription is set up in the background; `connections show` reports it once there.
    const subscribed = await eventually(
      async () => {
        const shown = await json<Connection>(['connections', 'show', 'prod']);
        return shown.subscription?.id ? shown : undefined;
      },
      15_000,
      'the subscription of prod',
    );
    expect(subscribed.subscription!.categories.length).toBeGreaterThan(0);
    expect(sim.state.subscriptions.map((s) => s.webhookUri)).toContain(subscribed.webhookUrl);
    const shown = await cli(['connections', 'show', 'prod']);
    expect(shown.stdout).toMatch(new RegExp(`Subscription:\\s+${subscribed.subscription!.id}, \\d+ categories`));
  });

  it('reads the key from stdin, never from the command line', async () => {
    const result = await cliWithInput([...connect('second', '--space', 'Second Space'), '--json'], `${sim.apiKey}\n`);
    expect(result.code, result.stderr).toBe(0);
    expect(result.psArgs).toContain('octopus connect');
    expect(result.psArgs).not.toContain(sim.apiKey);
    expect(JSON.parse(result.stdout)).toMatchObject({ name: 'second', status: 'ready', space: { id: 'Spaces-2', name: 'Second Space' } });
  });

  it("reports a bad key with Octopus's message and exit 1, although the connection is stored", async () => {
    const result = await cliWithInput(connect('badkey'), 'API-WRONGWRONGWRONGWRONG\n');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/Status:\s+error/);
    expect(result.stdout).toContain('You must be logged in to perform this action');
    expect(result.stderr).toContain('Connection badkey was created, but testing it failed: You must be logged in');
    expect((await json<Connection>(['connections', 'show', 'badkey'])).status).toBe('error');
  });

  it('has no flag for the key, and refuses a missing or empty key before asking the server', async () => {
    const flag = await cli([...connect('flag'), '--api-key', sim.apiKey]);
    expect(flag.code).toBe(1);
    expect(flag.stderr).toContain("unknown option '--api-key'");

    // --url is the global option (the Shipline server), wherever it stands on the line.
    const url = await cli(['octopus', 'connect', '--name', 'url', '--url', sim.url, '--api-key-env', 'OCTO_KEY'], { OCTO_KEY: sim.apiKey });
    expect(url.code).toBe(1);
    expect(url.stderr).toContain("--octopus-url is required (--url is the Shipline server's URL)");

    const unset = await cli([...connect('unset', '--api-key-env', 'SHIPLINE_TEST_NO_SUCH_VARIABLE')]);
    expect(unset.code).toBe(1);
    expect(unset.stderr).toContain('No Octopus API key: the environment variable SHIPLINE_TEST_NO_SUCH_VARIABLE is not set or is empty');

    const empty = await cliWithInput(connect('empty'), '\n');
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('No Octopus API key');

    const names = (await json<{ items: Connection[] }>(['connections', 'list'])).items.map((c) => c.name);
    expect(names).toEqual(['badkey', 'prod', 'second']);
  });

  it("refuses a second connection under a taken name with the server's error", async () => {
    const result = await cli([...connect('prod', '--api-key-env', 'OCTO_KEY')], { OCTO_KEY: sim.apiKey });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Error (connection.name_conflict)');
  });

  it('lists, shows and tests connections; a failing test exits 1', async () => {
    const list = await cli(['connections', 'list']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^NAME\s+TYPE\s+STATUS\s+SPACE\s+SUBSCRIPTION$/m);
    expect(list.stdout).toMatch(/^prod\s+octopus\s+ready\s+Default\s+\d+ categories$/m);
    expect(list.stdout).toMatch(/^badkey\s+octopus\s+error\s+-\s+/m);

    const shown = await cli(['connections', 'show', 'second']);
    expect(shown.stdout).toMatch(/Space:\s+Second Space \(Spaces-2\)/);

    const tested = await cli(['connections', 'test', 'prod']);
    expect(tested.code, tested.stderr).toBe(0);
    expect(tested.stdout).toMatch(/Status:\s+ready/);
    const failing = await cli(['connections', 'test', 'badkey']);
    expect(failing.code).toBe(1);
    expect(failing.stdout).toMatch(/Status:\s+error/);
    expect(failing.stderr).toContain('Testing connection badkey failed: You must be logged in');
    expect((await json<Connection>(['connections', 'test', 'second'])).status).toBe('ready');
  });

  it('deletes connections, and their subscriptions in Octopus with them', async () => {
    const second = await json<Connection>(['connections', 'show', 'second']);
    for (const name of ['badkey', 'second']) {
      const deleted = await cli(['connections', 'delete', name]);
      expect(deleted.code, deleted.stderr).toBe(0);
      expect(deleted.stdout).toBe(`Deleted connection ${name}\n`);
    }
    const gone = await cli(['connections', 'show', 'second']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('connection.not_found');
    // Its subscription in Octopus goes with it.
    await eventually(
      async () => (sim.state.subscriptions.some((s) => s.webhookUri === second.webhookUrl) ? undefined : true),
      15_000,
      'the deleted subscription',
    );
    expect((await json<{ items: Connection[] }>(['connections', 'list'])).items.map((c) => c.name)).toEqual(['prod']);
  });

  it('lists resources to pick from: releases of a project newest first', async () => {
    const releases = await cli(['octopus', 'resources', 'prod', 'releases', '--project', 'Web']);
    expect(releases.code, releases.stderr).toBe(0);
    expect(releases.stdout).toMatch(/^ID\s+NAME$/m);
    expect(releases.stdout).toMatch(/ 1\.0\.1\n.* 1\.0\.0\n$/);

    const projects = await json<{ items: Array<{ id: string; name: string }> }>(['octopus', 'resources', 'prod', 'projects']);
    expect(projects.items.map((p) => p.name)).toEqual(['Web', 'Payments API']);
    const searched = await json<{ items: Array<{ name: string }> }>(['octopus', 'resources', 'prod', 'environments', '--search', 'prod']);
    expect(searched.items.map((e) => e.name)).toEqual(['Production']);
    const machines = await json<{ items: Array<{ name: string }> }>(['octopus', 'resources', 'prod', 'machines', '--search', 'prod']);
    expect(machines.items.map((m) => m.name)).toEqual(['db-prod-01', 'web-prod-01']);

    const unknown = await cli(['octopus', 'resources', 'prod', 'releases', '--project', 'Nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('Nope');

    const noProject = await cli(['octopus', 'resources', 'prod', 'channels']);
    expect(noProject.code).toBe(1);
    expect(noProject.stderr).toContain('Listing channels needs --project');
    const badKind = await cli(['octopus', 'resources', 'prod', 'tenants']);
    expect(badKind.code).toBe(1);
    expect(badKind.stderr).toContain('Allowed choices are projects, environments, releases, channels');
  });
});
