import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_CHROMIUM, startUiTestBed, USER } from './support.js';
import type { UiTestBed } from './support.js';

describe.skipIf(!HAS_CHROMIUM)('web UI: sign-in and the live deploys list', () => {
  let bed: UiTestBed;
  let endpointUrl: string;

  beforeAll(async () => {
    bed = await startUiTestBed();
    const res = await bed.shipline.api({ method: 'POST', url: '/api/v1/deploy-endpoints', payload: { name: 'ci' } });
    endpointUrl = res.json<{ url: string }>().url;
  });
  afterAll(async () => bed?.close());

  it("refuses a wrong password with the server's message, then signs in", async () => {
    const page = await bed.newPage();
    await page.goto('/deploys');
    await page.waitForURL('**/sign-in?next=%2Fdeploys');
    await page.getByLabel('Email').fill(USER.email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page
      .getByRole('alert')
      .getByText(/email or password/i)
      .waitFor();
    await page.getByLabel('Password').fill(USER.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/deploys');
    await page.getByRole('heading', { name: 'Deploys' }).waitFor();
    expect(await page.getByText(USER.name).count()).toBeGreaterThan(0);
  });

  it('shows a deploy posted to the ingest URL without a reload', async () => {
    const page = await bed.newPage();
    await bed.signIn(page);
    await page.locator('.live-dot[data-state="live"]').waitFor();
    const res = await fetch(endpointUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        service: 'checkout',
        environment: 'Production',
        description: 'Ship the new cart',
        deployed_at: new Date().toISOString(),
        deployer: { email: 'ci@example.com', name: 'CI' },
        commit: { sha: '0123456789abcdef' },
      }),
    });
    expect(res.status).toBe(202);
    const row = page.getByRole('row', { name: /Ship the new cart/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('checkout');
    expect(await row.textContent()).toContain('01234567');
    await bed.screenshot(page, 'deploys');
  });

  it('filters by environment through the URL', async () => {
    await bed.shipline.ingest({ service: 'billing', environment: 'Staging', description: 'Staging only' });
    const page = await bed.newPage();
    await bed.signIn(page);
    await page.goto('/deploys?environment=Staging');
    await page.getByRole('row', { name: /Staging only/ }).waitFor();
    expect(await page.getByRole('row', { name: /Ship the new cart/ }).count()).toBe(0);
  });
});
