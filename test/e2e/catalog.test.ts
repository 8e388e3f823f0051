import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sink } from '../support/sink.js';
import { HAS_CHROMIUM, startUiTestBed, USER } from './support.js';
import type { UiTestBed } from './support.js';

const HOUR = 3_600_000;
const ago = (hours: number) => new Date(Date.now() - hours * HOUR).toISOString();

interface DeployItem {
  id: string;
  description: string;
  service: { id: string; name: string } | null;
}

describe.skipIf(!HAS_CHROMIUM)('web UI: deploys, environments, services, suggestions and insights', () => {
  let bed: UiTestBed;
  let sink: Sink;

  beforeAll(async () => {
    bed = await startUiTestBed();
    sink = await new Sink().start();
  });
  afterAll(async () => {
    await bed?.close();
    await sink?.close();
  });

  const api = async <T>(method: 'GET' | 'POST', url: string, payload?: unknown): Promise<T> => {
    const res = await bed.shipline.api({ method, url, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json<T>();
  };
  const deployNamed = async (service: string, description: string) =>
    (await api<{ items: DeployItem[] }>('GET', `/api/v1/deploys?service=${service}`)).items.find((d) => d.description === description)!;

  it('accepts a suggestion, attaches another alias to a service and dismisses a third', async () => {
    await api('POST', '/api/v1/services', { name: 'payments' });
    await bed.shipline.ingest({ service: 'unknown-alias', description: 'Unknown one', deployed_at: ago(3) });
    await bed.shipline.ingest({ service: 'unknown-alias', description: 'Unknown two', deployed_at: ago(2) });
    await bed.shipline.ingest({ service: 'payments-api', description: 'Payments under another name', deployed_at: ago(2) });
    await bed.shipline.ingest({ service: 'noise-alias', description: 'Noise', deployed_at: ago(1) });

    const page = await bed.newPage();
    await bed.signIn(page);
    await page.goto('/suggestions');
    const unknown = page.locator('tr[data-alias="unknown-alias"]');
    await unknown.waitFor();
    expect(await unknown.getByRole('link', { name: '2 deploys of unknown-alias' }).count()).toBe(1);
    await bed.screenshot(page, 'suggestions');
    expect(await page.locator('tr[data-alias="payments-api"]').getByRole('link', { name: '1 deploy of payments-api' }).count()).toBe(1);

    await unknown.getByRole('button', { name: 'Accept' }).click();
    await page.getByText('Created the service unknown-alias').waitFor();
    await unknown.waitFor({ state: 'detached' });

    await page.locator('tr[data-alias="payments-api"]').getByRole('button', { name: 'Attach…' }).click();
    const attach = page.getByRole('form', { name: 'Attach payments-api to a service' });
    await attach.getByLabel('Attach payments-api to service').fill('payments');
    await attach.getByRole('button', { name: 'Attach', exact: true }).click();
    // One deploy reads as one: "its 1 earlier deploy now belongs to it".
    await page.getByText('Attached payments-api to payments; its 1 earlier deploy now belongs to it.').waitFor();

    page.once('dialog', (dialog) => void dialog.accept());
    await page.locator('tr[data-alias="noise-alias"]').getByRole('button', { name: 'Dismiss' }).click();
    await page.getByText('Dismissed noise-alias').waitFor();
    await page.getByText(/No suggestions/).waitFor();

    expect((await api<{ aliases: string[] }>('GET', '/api/v1/services/payments')).aliases).toContain('payments-api');
    expect((await api<{ items: unknown[] }>('GET', '/api/v1/suggestions')).items).toEqual([]);

    // The earlier deploys of the accepted alias now belong to its service.
    await page.goto('/deploys?service=unknown-alias');
    const row = page.getByRole('row', { name: /Unknown one/ });
    await row.waitFor();
    expect(await row.getByRole('link', { name: 'unknown-alias' }).count()).toBe(1);
    expect(await row.getByText('unclaimed').count()).toBe(0);
  });

  it('shows a deploy with its commit, deployer, source link and the runs it triggered, and marks it failed', async () => {
    await api('POST', '/api/v1/services', { name: 'checkout' });
    await bed.shipline.applyReaction({
      name: 'notify-sink',
      on: { event: 'deploy.recorded', filter: { serviceAlias: 'checkout' } },
      steps: {
        notify: { uses: 'http.request', with: { method: 'POST', url: `${sink.url}/notify`, body: { number: '{{ data.deployNumber }}' } } },
      },
    });
    await bed.shipline.ingest({
      service: 'checkout',
      environment: 'Production',
      description: 'Ship the new cart',
      deploy_number: '42',
      deployed_at: ago(1),
      deploy_url: 'https://ci.example.com/builds/42',
      deployer: { id: 'ci-7', email: USER.email, name: 'Ada in CI' },
      commit: {
        sha: 'abcdef0123456789abcdef0123456789abcdef01',
        message: 'Fix the tax rate',
        branch: 'main',
        date: ago(5),
        committer_name: 'Grace Hopper',
        committer_email: 'grace@example.com',
        author_name: 'Grace Hopper',
        author_email: 'grace@example.com',
        authoring_date: ago(6),
      },
    });
    await bed.shipline.runReaching({ reaction: 'notify-sink' }, ['succeeded']);
    expect(sink.requests.some((r) => r.path === '/notify')).toBe(true);
    const deploy = await deployNamed('checkout', 'Ship the new cart');

    const page = await bed.newPage();
    await bed.signIn(page);
    await page.goto(`/deploys/${deploy.id}`);
    await page.getByRole('heading', { name: 'Ship the new cart' }).waitFor();
    const commit = page.getByRole('region', { name: 'Commit' });
    await commit.getByText('abcdef0123456789abcdef0123456789abcdef01').waitFor();
    await commit.getByText('Fix the tax rate').waitFor();
    await commit.getByText('main', { exact: true }).waitFor();
    const deployer = page.getByRole('region', { name: 'Deployer' });
    await deployer.getByText('Ada in CI').waitFor();
    await deployer.getByText(USER.name).waitFor();
    const source = page.getByRole('link', { name: 'https://ci.example.com/builds/42' });
    expect(await source.getAttribute('href')).toBe('https://ci.example.com/builds/42');
    const runs = page.getByRole('table', { name: 'Runs this deploy triggered' });
    await runs.getByRole('link', { name: 'notify-sink' }).waitFor();
    expect(await runs.getByText('succeeded').count()).toBe(1);
    expect(await runs.locator('a[href^="/runs/"]').count()).toBe(1);
    await bed.screenshot(page, 'deploy');

    const failure = page.getByRole('region', { name: 'Change failure' });
    await failure.getByText(/Not marked as failed/).waitFor();
    await failure.getByLabel('Reason').fill('Broke the cart');
    await failure.getByRole('button', { name: 'Mark as failed' }).click();
    await failure.getByText(/Broke the cart/).waitFor();
    // Who marked it (the signed-in user) and when, as the deploy itself carries them.
    await failure.getByText(USER.email, { exact: true }).waitFor();
    await failure.locator('time').waitFor();
    await bed.screenshot(page, 'deploy-marked');
    await failure.getByRole('button', { name: 'Clear the failure mark' }).click();
    await failure.getByText(/Not marked as failed/).waitFor();
    expect(await failure.getByText(USER.email).count()).toBe(0);
  });

  it('creates a service, adds an alias and shows its last deploy per environment', async () => {
    const page = await bed.newPage();
    await bed.signIn(page);
    await page.goto('/services');
    await page.getByRole('button', { name: 'New service' }).click();
    const form = page.getByRole('form', { name: 'New service' });
    await form.getByLabel('Name').fill('inventory');
    await form.getByLabel('Aliases').fill('stock');
    await form.getByLabel('Owner').fill('team-shelf');
    await form.getByLabel('Tags').fill('tier-1');
    await form.getByRole('button', { name: 'Create service' }).click();
    await page.waitForURL(/\/services\/[^/]+$/);
    await page.getByRole('heading', { name: 'inventory' }).waitFor();

    await page.getByLabel('New alias').fill('inventory-svc');
    await page.getByRole('button', { name: 'Add alias' }).click();
    await page.getByRole('list', { name: 'Aliases' }).getByText('inventory-svc').waitFor();

    await bed.shipline.ingest({ service: 'stock', environment: 'Production', description: 'Stock to production', deployed_at: ago(4) });
    await bed.shipline.ingest({ service: 'inventory-svc', environment: 'Staging', description: 'Stock to staging', deployed_at: ago(2) });
    await bed.shipline.ingest({ service: 'stock', environment: 'Staging', description: 'Stock to staging again', deployed_at: ago(1) });
    await page.reload();
    const latest = page.getByRole('table', { name: 'Last deploy of inventory per environment' });
    await latest.getByRole('row', { name: /Production.*Stock to production/ }).waitFor();
    await latest.getByRole('row', { name: /Staging.*Stock to staging again/ }).waitFor();
    expect(await latest.getByRole('row').count()).toBe(3);
    await page.getByRole('list', { name: 'Timeline of inventory' }).getByText('Deploy #234').first().waitFor();
    await bed.screenshot(page, 'service');

    await page.goto('/services');
    const row = page.getByRole('row', { name: /inventory/ });
    await row.getByText('stock', { exact: true }).waitFor();
    expect(await row.textContent()).toContain('team-shelf');
    expect(await row.textContent()).toContain('tier-1');
    await bed.screenshot(page, 'services');
  });

  it("shows an environment's timeline and lets the write role set its tier", async () => {
    const page = await bed.newPage();
    await bed.signIn(page);
    await page.goto('/environments/staging');
    await page.getByRole('heading', { name: 'Staging', level: 1 }).waitFor();
    await page.getByRole('table', { name: 'Last deploy per service in Staging' }).getByText('Stock to staging again').waitFor();
    await page.locator('.timeline li', { hasText: 'Stock to staging' }).first().waitFor();
    await page.getByLabel('Set the tier').selectOption('development');
    await page.getByRole('button', { name: 'Save tier' }).click();
    await page.getByText('set by hand').waitFor();
    const staging = (await api<{ items: Array<{ name: string; tier: string }> }>('GET', '/api/v1/environments')).items.find(
      (e) => e.name === 'Staging',
    );
    expect(staging?.tier).toBe('development');
  });

  it('shows a reader no controls that need the write role', async () => {
    const reader = { email: 'reader@example.com', password: 'a long reader password' };
    await bed.shipline.store.users.create({ ...reader, name: 'Reed', role: 'read' });
    await bed.shipline.ingest({ service: 'read-only-alias', description: 'Seen by a reader', deployed_at: ago(1) });
    const page = await bed.newPage();
    await bed.signIn(page, reader);
    await page.goto('/suggestions');
    await page.locator('tr[data-alias="read-only-alias"]').waitFor();
    expect(await page.getByRole('button', { name: 'Accept' }).count()).toBe(0);
    const deploy = await deployNamed('read-only-alias', 'Seen by a reader');
    await page.goto(`/deploys/${deploy.id}`);
    await page.getByRole('heading', { name: 'Seen by a reader' }).waitFor();
    await page
      .getByRole('table', { name: 'Runs this deploy triggered' })
      .or(page.getByText('No reaction ran for this deploy'))
      .first()
      .waitFor();
    expect(await page.getByRole('button', { name: 'Mark as failed' }).count()).toBe(0);
    await page.goto('/services');
    await page.getByRole('table', { name: 'Services' }).waitFor();
    expect(await page.getByRole('button', { name: 'New service' }).count()).toBe(0);
  });

  it('shows the four DORA figures and the deploys behind one of them', async () => {
    await api('POST', '/api/v1/services', { name: 'ledger' });
    for (const [n, hours] of [
      [1, 50],
      [2, 26],
      [3, 3],
    ] as const) {
      await bed.shipline.ingest({
        service: 'ledger',
        environment: 'Production',
        description: `Ledger ${n}`,
        deploy_number: String(n),
        deployed_at: ago(hours),
        commit: { sha: `${n}`.repeat(40), date: ago(hours + 2), authoring_date: ago(hours + 3) },
      });
    }
    const page = await bed.newPage();
    await bed.signIn(page);
    await page.goto('/insights?service=ledger');
    for (const title of ['Deployment frequency', 'Lead time for changes', 'Change failure rate', 'Time to restore']) {
      await page.getByRole('heading', { name: title }).waitFor();
    }
    const frequency = page.getByRole('region', { name: 'Deployment frequency' });
    expect(await frequency.getByText('3 successful deploys over').count()).toBe(1);
    expect(await frequency.getByRole('img').getAttribute('aria-label')).toMatch(/^Deployment frequency per week/);
    await bed.screenshot(page, 'insights');

    await frequency.getByRole('button', { name: 'Show the deploys behind deployment frequency' }).click();
    const rows = page.getByRole('table', { name: 'Deploys behind Deployment frequency' });
    for (const n of [1, 2, 3]) await rows.getByRole('link', { name: `#${n}` }).waitFor();
    await rows.getByRole('link', { name: '#2' }).click();
    await page.waitForURL(/\/deploys\/[^/]+$/);
    await page.getByRole('heading', { name: 'Ledger 2' }).waitFor();

    // A service with one deploy: "1 successful deploy", not "1 successful deploys".
    await page.goto('/insights?service=payments');
    const single = page.getByRole('region', { name: 'Deployment frequency' });
    await single.getByText(/^1 successful deploy over \d+ days$/).waitFor();
    await single.getByRole('button', { name: 'Show the deploys behind deployment frequency' }).click();
    await page.getByText(/^1 counted of \d+ days/).waitFor();
    await page.goto('/insights?service=payments');
    const failures = page.getByRole('region', { name: 'Change failure rate' });
    await failures.getByText('0 failed of 1 finished deploy', { exact: true }).waitFor();
  });
  it('pages the deploys behind a figure newest first, and Older goes back in time', async () => {
    await api('POST', '/api/v1/services', { name: 'abacus' });
    // 27 deploys, one an hour: more than one page of 25.
    for (let n = 1; n <= 27; n += 1)
      await bed.shipline.ingest({
        service: 'abacus',
        environment: 'Production',
        description: `Abacus ${n}`,
        deploy_number: String(n),
        deployed_at: ago(28 - n),
      });
    const page = await bed.newPage();
    await bed.signIn(page);
    await page.goto('/insights?service=abacus');
    const frequency = page.getByRole('region', { name: 'Deployment frequency' });
    await frequency.getByRole('button', { name: 'Show the deploys behind deployment frequency' }).click();
    const table = page.getByRole('table', { name: 'Deploys behind Deployment frequency' });
    const numbers = async () => (await table.locator('tbody tr td:first-child a').allTextContents()).map((t) => Number(t.replace('#', '')));
    await table.getByRole('link', { name: '#27', exact: true }).waitFor();
    const first = await numbers();
    expect(first).toEqual(Array.from({ length: 25 }, (_, i) => 27 - i));
    await page.getByRole('button', { name: 'Older →' }).click();
    await table.getByRole('link', { name: '#1', exact: true }).waitFor();
    expect(await numbers()).toEqual([2, 1]);
    await page.getByRole('button', { name: '← Newer' }).click();
    await table.getByRole('link', { name: '#27', exact: true }).waitFor();
  });
});
