import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOctopusSim } from '../../src/simulators/octopus/index.js';
import type { OctopusSim } from '../../src/simulators/octopus/index.js';
import { HAS_CHROMIUM, startUiTestBed } from './support.js';
import type { UiTestBed } from './support.js';

const execFileAsync = promisify(execFile);

describe.skipIf(!HAS_CHROMIUM)('web UI: integrations and settings', () => {
  let bed: UiTestBed;
  let sim: OctopusSim;

  beforeAll(async () => {
    sim = await startOctopusSim();
    // The subscription watcher looks for changes every 100 ms instead of every 2 s.
    bed = await startUiTestBed({ octopusWatchMs: 100 });
  });
  afterAll(async () => {
    await bed?.close();
    await sim?.close();
  });

  it("tests Octopus settings without saving: a wrong API key shows Octopus's message", async () => {
    const page = await bed.newPage();
    await bed.signIn(page);
    await page.goto('/integrations');
    const form = page.getByRole('region', { name: 'Connect Octopus Deploy' });
    await form.getByLabel('Connection name').fill('wrong-key');
    await form.getByLabel('Server URL').fill(sim.url);
    await form.getByLabel('API key').fill('API-WRONGWRONGWRONGWRONG');
    await form.getByRole('button', { name: 'Test', exact: true }).click();
    const outcome = form.locator('[data-test-outcome="error"]');
    await outcome.waitFor();
    expect(await outcome.textContent()).toContain('You must be logged in to perform this action');
    expect((await bed.shipline.api({ method: 'GET', url: '/api/v1/connections' })).json<{ items: unknown[] }>().items).toEqual([]);
  });

  it('connects the Octopus stand-in: Test succeeds, Save, and the subscription becomes ready', async () => {
    const page = await bed.newPage();
    await bed.signIn(page);
    await page.goto('/integrations');
    const form = page.getByRole('region', { name: 'Connect Octopus Deploy' });
    await form.getByLabel('Connection name').fill('prod');
    await form.getByLabel('Server URL').fill(sim.url);
    await form.getByLabel('API key').fill(sim.apiKey);
    await form.getByRole('button', { name: 'Test', exact: true }).click();
    const outcome = form.locator('[data-test-outcome]');
    await outcome.waitFor();
    expect(await outcome.getAttribute('data-test-outcome')).toBe('ready');
    const text = await outcome.textContent();
    expect(text).toContain('Test succeeded');
    expect(text).toContain('Space: Default');
    expect(text).toMatch(/Version: \d+\.\d+\.\d+/);
    await bed.screenshot(page, 'connect-octopus');
    // Tested, not saved: the server holds no connection, so nothing is subscribed in Octopus.
    expect((await bed.shipline.api({ method: 'GET', url: '/api/v1/connections' })).json<{ items: unknown[] }>().items).toEqual([]);
    expect(sim.state.subscriptions).toHaveLength(0);

    // Saving creates the connection (deploy tracking left at its default, on), which makes Shipline subscribe.
    expect(await form.getByLabel('Track deploys').inputValue()).toBe('');
    await form.getByRole('button', { name: 'Save and test', exact: true }).click();
    const card = page.getByRole('region', { name: 'Octopus Deploy connection prod' });
    await card.locator('[data-subscription-state="ready"]').waitFor({ timeout: 20_000 });
    const connection = (await bed.shipline.api({ method: 'GET', url: '/api/v1/connections/prod' })).json<{
      id: string;
      config: { trackDeploys?: boolean };
    }>();
    expect(connection.config.trackDeploys).not.toBe(false);
    const subscriptions = sim.state.subscriptions.filter((s) => s.name.startsWith('Shipline prod'));
    expect(subscriptions).toHaveLength(1);
    expect(subscriptions[0]!.webhookUri).toBe(`${bed.url}/hooks/octopus/${connection.id}`);
    expect(subscriptions[0]!.filter.EventCategories).toEqual(expect.arrayContaining(['DeploymentSucceeded', 'DeploymentFailed']));
    expect(await card.textContent()).toContain('DeploymentSucceeded');
    await bed.screenshot(page, 'integrations');

    // The connection's own page: its state, its subscription and what it sees in Octopus.
    await card.getByRole('link', { name: 'Details and resources' }).click();
    await page.waitForURL('**/integrations/connections/prod');
    await page.locator('[data-subscription-state="ready"]').waitFor();
    await page.getByRole('table', { name: 'Octopus Deploy projects' }).getByRole('cell', { name: 'Payments API' }).waitFor();
    await page.getByRole('table', { name: 'Octopus Deploy environments' }).getByRole('cell', { name: 'Production' }).waitFor();
    expect(await page.getByRole('region', { name: 'Inbound webhook URL' }).textContent()).toContain(`/hooks/octopus/${connection.id}`);
    expect(await page.content()).not.toContain(sim.apiKey);
    await page.getByRole('button', { name: 'Test', exact: true }).click();
    await page.getByRole('status').getByText('Test succeeded').waitFor();
    await bed.screenshot(page, 'connection');
  });

  it("tests a new Teams connection's settings without saving them, then saves it", async () => {
    const page = await bed.newPage();
    await bed.signIn(page);
    await page.goto('/integrations?tab=connections');
    await page.getByRole('button', { name: 'New connection' }).click();
    const form = page.getByRole('region', { name: 'New connection' });
    await form.getByLabel('Type').selectOption('teams');
    await form.getByLabel('Connection name').fill('team-chat');
    await form
      .getByLabel('Webhook URL')
      .fill('https://prod-00.westus.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?sig=not-a-real-signature');
    await form.getByRole('button', { name: 'Test', exact: true }).click();
    const outcome = form.locator('[data-test-outcome="ready"]');
    await outcome.waitFor();
    expect(await outcome.textContent()).toContain('Kind: workflows');
    const names = async () =>
      (await bed.shipline.api({ method: 'GET', url: '/api/v1/connections' }))
        .json<{ items: Array<{ name: string }> }>()
        .items.map((c) => c.name);
    expect(await names()).not.toContain('team-chat');
    await form.getByRole('button', { name: 'Save and test' }).click();
    await form.getByRole('status').getByText('The test succeeded.').waitFor();
    expect(await names()).toContain('team-chat');
    expect(await page.content()).not.toContain('not-a-real-signature');
  });

  it("changes a connection's settings, and an emptied setting is removed", async () => {
    const created = await bed.shipline.api({
      method: 'POST',
      url: '/api/v1/connections',
      payload: {
        type: 'teams',
        name: 'team-settings',
        config: { cardVersion: '1.4' },
        secrets: { webhookUrl: 'https://prod-00.westus.logic.azure.com/workflows/def/triggers/manual/paths/invoke?sig=x' },
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const page = await bed.newPage();
    await bed.signIn(page);
    await page.goto('/integrations/connections/team-settings');
    expect(await page.locator('[data-secret="webhookUrl"]').textContent()).toBe('set');
    await page.getByRole('button', { name: 'Change' }).click();
    const form = page.getByRole('region', { name: 'Change team-settings' });
    const cardVersion = form.getByLabel('Card version (optional)');
    expect(await cardVersion.inputValue()).toBe('1.4');
    await cardVersion.fill('');
    await form.getByRole('button', { name: 'Save and test' }).click();
    await form.waitFor({ state: 'detached' });
    const shown = await bed.shipline.api({ method: 'GET', url: '/api/v1/connections/team-settings' });
    expect(shown.json<{ config: Record<string, unknown> }>().config).not.toHaveProperty('cardVersion');
  });

  it('creates a deploy endpoint, copies its URL, and the example body records a deploy', async () => {
    const page = await bed.newPage();
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: bed.url });
    await bed.signIn(page);
    await page.goto('/integrations?tab=deploy-endpoints');
    await page.getByLabel('Endpoint name').fill('github-actions');
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    const row = page.locator('tr[data-endpoint="github-actions"]');
    await row.waitFor();
    const url = (await row.locator('code').textContent())!;
    expect(url).toMatch(/\/integrations\/deploy\/[0-9a-f-]{36}$/);

    await row.getByRole('button', { name: /^Copy URL/ }).click();
    await row.getByText('Copied').waitFor();
    expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(url);

    // The example is open for a new endpoint: a curl command to that URL, copyable too.
    const example = page.getByLabel('Record a deploy through github-actions');
    const command = (await example.textContent())!;
    expect(command).toContain(`curl -X POST '${url}'`);
    await page.getByRole('button', { name: /^Copy command/ }).click();
    expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(command);

    // The deploy's time is the shell's when the command runs, not the time the page was opened.
    expect(command).toContain(`"deployed_at": "'"$(date -u +%Y-%m-%dT%H:%M:%SZ)"'"`);
    expect(command).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d/);
    // Pasted into a shell, it records a deploy stamped with the time it ran.
    const before = Date.now() - 1000;
    const { stdout } = await execFileAsync('sh', ['-c', `${command} -s -o /dev/null -w '%{http_code}'`]);
    expect(stdout).toBe('202');
    const deploys = await bed.shipline.api({ method: 'GET', url: '/api/v1/deploys?service=shopping_cart' });
    const [deploy] = (deploys.json() as { items: Array<{ deployedAt: string; description: string }> }).items;
    expect(deploy?.description).toBe('Deployed by CI Pipeline: Deploy #234');
    expect(Date.parse(deploy!.deployedAt)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(deploy!.deployedAt)).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it('creates a webhook endpoint: the key is shown once, and its example delivery is accepted', async () => {
    const page = await bed.newPage();
    await bed.signIn(page);
    await page.goto('/integrations?tab=webhooks');
    await page.getByLabel('Webhook name').fill('nightly-tests');
    await page.getByRole('button', { name: 'Create webhook' }).click();
    const created = page.getByRole('region', { name: 'Webhook nightly-tests created' });
    await created.waitFor();
    const command = (await created.getByLabel('Send a delivery to nightly-tests').textContent())!;
    const key = /KEY='(shk_[^']+)'/.exec(command)?.[1];
    expect(key).toBeDefined();
    const url = `${bed.url}/hooks/nightly-tests`;
    expect(command).toContain(`'${url}'`);
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'x-shipline-key': key!, 'content-type': 'application/json' },
      body: '{"status":"green"}',
    });
    expect(res.status).toBe(202);
    await created.getByRole('button', { name: 'Done' }).click();
    await page.locator('tr[data-webhook="nightly-tests"]').waitFor();
    expect(await page.content()).not.toContain(key!);
  });

  it('settings: adds a user, creates a token shown once, sets a secret seen by name only', async () => {
    const page = await bed.newPage();
    await bed.signIn(page);
    await page.goto('/settings?tab=users');
    const add = page.getByRole('region', { name: 'Add a user' });
    await add.getByLabel('Email').fill('grace@example.com');
    await add.getByLabel('Name').fill('Grace Hopper');
    await add.getByLabel('Role').selectOption('write');
    await add.getByLabel('Initial password').fill('a long enough password');
    await add.getByRole('button', { name: 'Add user' }).click();
    const userRow = page.locator('tr[data-user="grace@example.com"]');
    await userRow.waitFor();
    await userRow.getByLabel('Role of grace@example.com').selectOption('admin');
    await expect.poll(async () => (await bed.shipline.store.users.get('grace@example.com')).role).toBe('admin');
    await bed.screenshot(page, 'settings');

    await page.getByRole('tab', { name: 'API tokens' }).click();
    await page.getByLabel('Token name').fill('ci');
    await page.getByLabel('Role').selectOption('read');
    await page.getByRole('button', { name: 'Create token' }).click();
    const shown = page.locator('[data-new-token]');
    await shown.waitFor();
    const token = (await shown.textContent())!;
    expect(token).toMatch(/^shp_/);
    const asToken = await fetch(`${bed.url}/api/v1/deploys`, { headers: { authorization: `Bearer ${token}` } });
    expect(asToken.status).toBe(200);
    await page.getByRole('button', { name: 'Done, I have copied it' }).click();
    await page.locator('tr[data-token="ci"]').waitFor();
    expect(await page.content()).not.toContain(token);

    await page.getByRole('tab', { name: 'Secrets' }).click();
    await page.getByLabel('Secret name').fill('SLACK_TOKEN');
    await page.getByLabel('Value').fill('xoxb-not-for-your-eyes');
    await page.getByLabel('Sent only to (optional)').fill('slack.com, *.slack.com');
    await page.getByRole('button', { name: 'Save secret' }).click();
    const secretRow = page.locator('tr[data-secret="SLACK_TOKEN"]');
    await secretRow.waitFor();
    expect(await secretRow.textContent()).toContain('*.slack.com');
    expect(await page.content()).not.toContain('xoxb-not-for-your-eyes');
    expect(await bed.shipline.store.secrets.list()).toEqual([
      expect.objectContaining({ name: 'SLACK_TOKEN', hosts: ['slack.com', '*.slack.com'] }),
    ]);
  });

  it('a read user sees only their account, and changes their own password', async () => {
    const reader = { email: 'reader@example.com', password: 'the first reader password' };
    await bed.shipline.store.users.create({ ...reader, name: 'Reader', role: 'read' });
    const page = await bed.newPage();
    await bed.signIn(page, reader);
    await page.goto('/settings');
    await page.getByRole('heading', { name: 'Change your password' }).waitFor();
    expect(await page.getByRole('tab').allTextContents()).toEqual(['Your account']);

    await page.getByLabel('Current password').fill('not my password at all');
    await page.getByLabel('New password', { exact: true }).fill('the second reader password');
    await page.getByLabel('Repeat the new password').fill('the second reader password');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('alert').waitFor();

    await page.getByLabel('Current password').fill(reader.password);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Your password is changed.').waitFor();

    const again = await bed.newPage();
    await bed.signIn(again, { email: reader.email, password: 'the second reader password' });
  });
  it('says a Slack webhook-only Test checked the settings here and contacted nothing', async () => {
    const res = await bed.shipline.api({
      method: 'POST',
      url: '/api/v1/connections',
      payload: { type: 'slack', name: 'team-hook', config: {}, secrets: { webhookUrl: 'https://hooks.slack.com/services/T0/B0/x' } },
    });
    expect(res.statusCode).toBe(201);
    const page = await bed.newPage();
    await bed.signIn(page);
    await page.goto('/integrations/connections/team-hook');
    await page.getByRole('button', { name: 'Test', exact: true }).click();
    const outcome = page.getByRole('status').filter({ hasText: /nothing was contacted|Test succeeded/ });
    await outcome.waitFor();
    expect(await outcome.textContent()).toBe('Settings checked here only; nothing was contacted.');
    const api = await bed.shipline.api({ method: 'GET', url: '/api/v1/connections/team-hook' });
    expect(api.json<{ contacted: boolean | null }>().contacted).toBe(false);
  });
});
