import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliResult } from './support/cli-runner.js';
import { runCli, runCliWithInput } from './support/cli-runner.js';
import type { TestDatabase } from './support/databases.js';
import { DIALECTS, freshDatabase } from './support/databases.js';
import type { ServerProcess } from './support/server-process.js';
import { startServer } from './support/server-process.js';
import { runCliInTerminal } from './support/terminal.js';

// User accounts as an operator manages them: the compiled CLI against a real server process,
// then signing in over real HTTP as a browser would.

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PASSWORD = 'correct-horse-battery-staple';

describe.each(DIALECTS)('shipline users against a running server on %s', (dialect) => {
  const adminToken = randomBytes(24).toString('hex');
  let database: TestDatabase;
  let server: ServerProcess | undefined;
  const outputs: CliResult[] = [];

  const env = () => ({ SHIPLINE_URL: server!.url, SHIPLINE_TOKEN: adminToken });
  const cli = async (args: string[], input?: string) => {
    const result = input === undefined ? await runCli(args, env()) : await runCliWithInput(args, env(), input);
    outputs.push(result);
    return result;
  };
  const signIn = (email: string, password: string) =>
    fetch(`${server!.url}/auth/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });

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

  it('creates a user with the password from stdin, refusing a short one', async () => {
    const short = await cli(['users', 'create', '--email', 'short@example.com', '--name', 'Short', '--role', 'read'], 'too-short\n');
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('at least 12 characters');

    const created = await cli(
      ['users', 'create', '--email', 'Ops@Example.com', '--name', 'Ops Person', '--role', 'write', '--json'],
      `${PASSWORD}\n`,
    );
    expect(created.code, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ email: 'ops@example.com', name: 'Ops Person', role: 'write', disabled: false });

    const again = await cli(['users', 'create', '--email', 'ops@example.com', '--name', 'Again', '--role', 'read'], `${PASSWORD}\n`);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('Error (user.email_conflict):');
  });

  it('prompts for the password twice on a terminal, without echoing it', async () => {
    const args = ['users', 'create', '--email', 'tty@example.com', '--name', 'Typed In', '--role', 'read'];
    const mismatch = await runCliInTerminal(args, env(), [
      { prompt: 'Password (at least 12 characters): ', answer: PASSWORD },
      { prompt: 'Repeat the password: ', answer: 'not-the-same-password' },
    ]);
    expect(mismatch.code, mismatch.screen).toBe(1);
    expect(mismatch.screen).toContain('The two passwords differ: nothing was changed');
    expect((await signIn('tty@example.com', PASSWORD)).status).toBe(401);

    const typed = await runCliInTerminal(args, env(), [
      { prompt: 'Password (at least 12 characters): ', answer: PASSWORD },
      { prompt: 'Repeat the password: ', answer: PASSWORD },
    ]);
    expect(typed.code, typed.screen).toBe(0);
    expect(typed.screen).toMatch(/Email:\s+tty@example\.com/);
    for (const screen of [mismatch.screen, typed.screen]) expect(screen).not.toContain(PASSWORD);
    expect((await signIn('tty@example.com', PASSWORD)).status).toBe(200);
  });

  it('has no password option', async () => {
    const res = await cli(['users', 'create', '--email', 'x@example.com', '--name', 'X', '--role', 'read', '--password', PASSWORD]);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain("unknown option '--password'");
  });

  it('lists users as a table', async () => {
    const table = await cli(['users', 'list']);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^EMAIL\s+NAME\s+ROLE\s+DISABLED\s+CREATED$/);
    expect(table.stdout).toMatch(/ops@example\.com\s+Ops Person\s+write\s+-\s+/);
  });

  it('lets the user sign in over HTTP, and disable ends that session', async () => {
    const res = await signIn('ops@example.com', PASSWORD);
    expect(res.status).toBe(200);
    const setCookie = res.headers.get('set-cookie')!;
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).not.toContain('Secure');
    const cookie = setCookie.split(';')[0]!;
    const me = () => fetch(`${server!.url}/api/v1/services`, { headers: { cookie } });
    expect((await me()).status).toBe(200);

    const disabled = await cli(['users', 'disable', 'OPS@example.com']);
    expect(disabled.code, disabled.stderr).toBe(0);
    expect(disabled.stdout).toContain('Disabled user ops@example.com');
    expect((await me()).status).toBe(401);
    expect((await signIn('ops@example.com', PASSWORD)).status).toBe(401);
    expect((await cli(['users', 'list', '--json'])).stdout).toContain('"disabled": true');

    expect((await cli(['users', 'enable', 'ops@example.com'])).code).toBe(0);
    expect((await signIn('ops@example.com', PASSWORD)).status).toBe(200);
  });

  it('resets a password from stdin', async () => {
    const reset = await cli(['users', 'reset-password', 'ops@example.com'], 'a-whole-new-passphrase\n');
    expect(reset.code, reset.stderr).toBe(0);
    expect((await signIn('ops@example.com', PASSWORD)).status).toBe(401);
    expect((await signIn('ops@example.com', 'a-whole-new-passphrase')).status).toBe(200);

    const missing = await cli(['users', 'reset-password', 'nobody@example.com'], 'a-whole-new-passphrase\n');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('Error (user.not_found):');
  });

  it('never prints a password', () => {
    const all = outputs.map((o) => o.stdout + o.stderr).join('\n');
    expect(all).not.toContain('a-whole-new-passphrase');
    expect(all).not.toContain('$argon2');
    // The one mention is commander echoing the refused --password option back.
    expect(all.split(PASSWORD).length - 1).toBeLessThanOrEqual(1);
  });
});
