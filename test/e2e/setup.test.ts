import { randomBytes } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '../support/databases.js';
import { freshDatabase } from '../support/databases.js';
import type { ServerProcess } from '../support/server-process.js';
import { startServer } from '../support/server-process.js';
import { HAS_CHROMIUM, launchChromium } from './support.js';

// The first run as a new user meets it: `shipline start` on an empty store prints a setup code,
// the browser lands on the setup page, and the code creates the first admin, signed in at once.

const ADMIN = { name: 'Grace Hopper', email: 'grace@example.com', password: 'a long first-admin passphrase' };
const FIRST_RUN = /First run: open (\S+)\/setup and enter the setup code (\S+) to create the first admin/;

describe.skipIf(!HAS_CHROMIUM)('web UI: first-run setup', () => {
  const adminToken = randomBytes(24).toString('hex');
  let database: TestDatabase;
  let server: ServerProcess | undefined;
  let browser: Browser;

  beforeAll(async () => {
    database = await freshDatabase('sqlite');
    server = await startServer({ dataDir: database.options.dataDir, adminToken });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    if (server?.running()) await server.stop();
    await database?.drop();
  });

  it('sends a fresh Shipline to the setup page, where the printed code creates the first admin, signed in', async () => {
    // Printed in the same write as the listening line the start waited for.
    const [, printedUrl, code] = FIRST_RUN.exec(server!.output()) ?? [];
    expect(printedUrl).toBe(server!.url.replace('127.0.0.1', 'localhost'));

    const context = await browser.newContext({ baseURL: server!.url, viewport: { width: 1280, height: 860 } });
    const page = await context.newPage();
    await page.goto('/deploys');
    await page.waitForURL('**/setup');
    await page.getByRole('heading', { name: 'Set up Shipline' }).waitFor();

    const fill = async (setupCode: string) => {
      await page.getByLabel('Setup code').fill(setupCode);
      await page.getByLabel('Name').fill(ADMIN.name);
      await page.getByLabel('Email').fill(ADMIN.email);
      await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
      await page.getByLabel('Repeat the password').fill(ADMIN.password);
      await page.getByRole('button', { name: 'Create admin account' }).click();
    };
    await fill('WRONG-CODE');
    await page.getByRole('alert').filter({ hasText: 'The setup code is wrong' }).waitFor();

    await fill(code!);
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    await page.waitForURL('**/deploys');
    await context.close();

    // Done for good: another browser goes to sign-in, and the new account signs in there.
    const later = await browser.newContext({ baseURL: server!.url });
    const other = await later.newPage();
    await other.goto('/setup');
    await other.waitForURL('**/sign-in');
    await other.getByLabel('Email').fill(ADMIN.email);
    await other.getByLabel('Password').fill(ADMIN.password);
    await other.getByRole('button', { name: 'Sign in' }).click();
    await other.getByRole('navigation', { name: 'Main' }).waitFor();
    await later.close();

    // The used code opens nothing, and a restart with an account prints no new one.
    const reused = await fetch(`${server!.url}/auth/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code, email: 'mallory@example.com', name: 'Mallory', password: 'another long passphrase' }),
    });
    expect(reused.status).toBe(409);
    await server!.stop();
    server = await startServer({ dataDir: database.options.dataDir, adminToken });
    expect(server.output()).not.toContain('setup code');
  });
});
