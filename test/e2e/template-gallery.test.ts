import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startOctopusSim } from '../../src/simulators/octopus/index.js';
import type { OctopusSim } from '../../src/simulators/octopus/index.js';
import { HAS_CHROMIUM, startUiTestBed } from './support.js';
import type { UiTestBed } from './support.js';

describe.skipIf(!HAS_CHROMIUM)('web UI: the template gallery — pick, fill in with pickers, dry run, create', () => {
  let bed: UiTestBed;
  let sim: OctopusSim;

  beforeAll(async () => {
    bed = await startUiTestBed();
    sim = await startOctopusSim();
    const res = await bed.shipline.api({
      method: 'POST',
      url: '/api/v1/connections',
      payload: { type: 'octopus', name: 'octo', config: { serverUrl: sim.url }, secrets: { apiKey: sim.apiKey } },
    });
    expect(res.statusCode, res.body).toBe(201);
    // A deployment that succeeded in Development, received before any reaction exists: what the dry run renders against.
    await bed.shipline.store.events.append({
      type: 'octopus.deployment.succeeded',
      source: 'connection:octo',
      data: {
        eventType: 'DeploymentSucceeded',
        category: 'DeploymentSucceeded',
        message: 'Deploy to Development succeeded for Web release 1.0.1 to Development',
        projectId: 'Projects-1',
        projectName: 'Web',
        releaseId: 'Releases-2',
        environmentId: 'Environments-1',
        environmentName: 'Development',
      },
    });
  });
  afterAll(async () => {
    await bed?.shipline.api({ method: 'DELETE', url: '/api/v1/connections/octo' });
    await sim?.close();
    await bed?.close();
  });

  async function signedIn(): Promise<Page> {
    const page = await bed.newPage();
    await bed.signIn(page);
    return page;
  }

  it('says which templates need a connection nobody has made yet, and links to Integrations', async () => {
    const page = await signedIn();
    await page.goto('/reaction-templates');
    const slack = page.locator('li[data-template="slack-deploy-progress"]');
    await slack.getByText('Needs a Slack connection, and there is none yet').waitFor();
    // Octopus is connected: its templates need nothing more.
    expect(await page.locator('li[data-template="octopus-staging-to-production"] .notice').count()).toBe(0);
    expect(await page.getByRole('listitem').count()).toBeGreaterThanOrEqual(15);
    await bed.screenshot(page, 'reaction-templates');
    await slack.getByRole('link', { name: 'add one under Integrations' }).click();
    await page.waitForURL('**/integrations?tab=connections');
  });

  it('fills in a template from the pickers, dry runs it against a recent event and creates the reaction with the chosen values', async () => {
    const page = await signedIn();
    await page.goto('/reactions');
    // The empty list leads to the gallery.
    await page.getByRole('link', { name: 'template gallery' }).click();
    await page.waitForURL('**/reaction-templates');
    await page.locator('li[data-template="octopus-staging-to-production"]').getByRole('link', { name: 'Use this template' }).click();
    await page.waitForURL('**/reaction-templates/octopus-staging-to-production');

    await page.getByLabel('Reaction name').fill('promote-development');
    // The only Octopus connection is already chosen; the pickers offer it and the environments it lists.
    const connection = page.getByRole('combobox', { name: 'Octopus Deploy connection' });
    expect(await connection.inputValue()).toBe('octo');
    await page.locator('datalist#blank-connection-choices option[value="octo"]').waitFor({ state: 'attached' });
    await connection.fill('octo');
    await page.locator('datalist#blank-from-choices option[value="Development"]').waitFor({ state: 'attached' });
    const offered = page.locator('datalist#blank-to-choices option');
    expect(await Promise.all((await offered.all()).map((o) => o.getAttribute('value')))).toEqual(['Development', 'Staging', 'Production']);
    await page.getByRole('combobox', { name: 'Environment that succeeded' }).fill('Development');
    await page.getByRole('combobox', { name: 'Environment to promote to' }).fill('Staging');
    await page.getByText('The document is valid.').waitFor();

    // Dry run against the stored Development deployment: it would deploy its release to Staging, sending nothing.
    const picker = page.getByLabel(/Event matching/);
    await expect.poll(() => picker.locator('option').first().textContent()).toContain('Web');
    await page.getByRole('button', { name: 'Dry run', exact: true }).click();
    await page.getByRole('status', { name: 'Dry run result' }).getByText('Would run').waitFor();
    const input = page.getByLabel('Rendered input of step promote');
    await expect.poll(() => input.textContent()).toContain('"environment": "Staging"');
    expect(await input.textContent()).toContain('"release": "Releases-2"');
    expect(await input.textContent()).toContain('"connection": "octo"');
    expect(await page.getByLabel('Filled-in reactions (YAML)').textContent()).toContain('name: promote-development');
    await bed.screenshot(page, 'reaction-template');

    await page.getByRole('button', { name: 'Create reaction' }).click();
    await page.waitForURL('**/reactions/promote-development');
    await page.getByText('Created promote-development from the template octopus-staging-to-production.').waitFor();

    const stored = (await bed.shipline.api({ method: 'GET', url: '/api/v1/reactions/promote-development' })).json<{
      enabled: boolean;
      document: { on: Record<string, unknown>; steps: { promote: { uses: string; with: Record<string, unknown> } } };
    }>();
    expect(stored.enabled).toBe(true);
    expect(stored.document.on).toEqual({ event: 'octopus.deployment.succeeded', connection: 'octo', environment: 'Development' });
    expect(stored.document.steps.promote.uses).toBe('octopus.deployRelease');
    expect(stored.document.steps.promote.with).toMatchObject({
      connection: 'octo',
      environment: 'Staging',
      release: '{{ data.releaseId }}',
    });
  });

  it('creates both reactions of a template that holds two, with the connection in each', async () => {
    const page = await signedIn();
    await page.goto('/reaction-templates/pagerduty-resolve-on-success');
    // No PagerDuty connection yet: the page says so and where to add one; the name can still be typed.
    await page.getByText('This template needs a PagerDuty connection, and there is none yet').waitFor();
    expect(await page.getByRole('link', { name: 'add one under Integrations' }).getAttribute('href')).toBe('/integrations?tab=connections');
    const connection = page.getByRole('combobox', { name: 'PagerDuty connection' });
    expect(await connection.inputValue()).toBe('');
    await connection.fill('pd-main');
    await page.getByLabel('Name of reaction 2').fill('resolve-octopus-alerts');
    // The second reaction is checked and dry run on its own trigger.
    await page.getByLabel('Reaction to check and dry run').selectOption('resolve-octopus-alerts');
    await page
      .getByLabel(/Event matching/)
      .getByText(/octopus\.deployment\.succeeded/)
      .waitFor({ state: 'attached' });
    await page.getByRole('button', { name: 'Create 2 reactions' }).click();
    await page.waitForURL('**/reactions/pagerduty-resolve-on-success');
    await page.getByText('Created pagerduty-resolve-on-success and resolve-octopus-alerts from the template').waitFor();
    for (const name of ['pagerduty-resolve-on-success', 'resolve-octopus-alerts']) {
      const stored = (await bed.shipline.api({ method: 'GET', url: `/api/v1/reactions/${name}` })).json<{
        document: { steps: { resolve: { with: Record<string, unknown> } } };
      }>();
      expect(stored.document.steps.resolve.with).toEqual({ connection: 'pd-main', action: 'resolve' });
    }
  });

  it('refuses to create over a reaction of the same name, or two under one name, and changes nothing', async () => {
    const page = await signedIn();
    await page.goto('/reaction-templates/octopus-staging-to-production');
    await page.getByLabel('Reaction name').fill('promote-development');
    await page.getByRole('combobox', { name: 'Environment to promote to' }).fill('Production');
    await page.getByRole('button', { name: 'Create reaction' }).click();
    await page.getByText('A reaction named promote-development exists already: give this one another name.').waitFor();
    const stored = (await bed.shipline.api({ method: 'GET', url: '/api/v1/reactions/promote-development' })).json<{ version: number }>();
    expect(stored.version).toBe(1);

    // Two reactions of one template under one name would be one reaction, changed twice.
    await page.goto('/reaction-templates/pagerduty-on-deploy-failure');
    await page.getByRole('combobox', { name: 'PagerDuty connection' }).fill('pd-main');
    await page.getByLabel('Name of reaction 2').fill('pagerduty-on-deploy-failure');
    await page.getByRole('button', { name: 'Create 2 reactions' }).click();
    await page.getByText('Give each reaction its own name.').waitFor();
    expect((await bed.shipline.api({ method: 'GET', url: '/api/v1/reactions/pagerduty-on-deploy-failure' })).statusCode).toBe(404);
  });
});
