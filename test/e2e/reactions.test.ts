import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startOctopusSim } from '../../src/simulators/octopus/index.js';
import { Sink } from '../support/sink.js';
import { HAS_CHROMIUM, startUiTestBed } from './support.js';
import type { UiTestBed } from './support.js';

const NAME = 'notify-sink';

describe.skipIf(!HAS_CHROMIUM)('web UI: reactions — form, dry run, save, live last run, YAML, graph, history', () => {
  let bed: UiTestBed;
  let sink: Sink;

  beforeAll(async () => {
    bed = await startUiTestBed();
    sink = await new Sink().start();
    // A stored deploy event to dry-run against; it is recorded before the reaction exists, so it starts nothing.
    await bed.shipline.ingest({ service: 'checkout', environment: 'Production', description: 'Before the reaction', deploy_number: '41' });
  });
  afterAll(async () => {
    await sink?.close();
    await bed?.close();
  });

  async function signedIn(user?: { email: string; password: string }): Promise<Page> {
    const page = await bed.newPage();
    page.on('dialog', (dialog) => void dialog.accept());
    await bed.signIn(page, user);
    return page;
  }

  it('creates a reaction in the form, dry-runs it against a stored deploy, saves it, and shows its run going live', async () => {
    const page = await signedIn();
    await page.goto('/reactions/-/new');
    await page.getByRole('heading', { name: 'New reaction' }).waitFor();

    await page.getByLabel('Name', { exact: true }).fill(NAME);
    await page.getByLabel('Description').fill('Tell the sink about production deploys');
    await page.getByLabel('Event type').fill('deploy.recorded');
    await page.getByRole('button', { name: 'Add filter' }).click();
    await page.getByLabel('Value').fill('Production');

    await page.getByLabel("New step's action").selectOption('http.request');
    await page.getByRole('button', { name: 'Add step' }).click();
    const step = page.locator('section[data-step="request"]');
    await step.waitFor();
    await step.getByLabel('Method').selectOption('POST');
    await step.getByLabel(/^URL/).fill(`${sink.url}/hook/{{ data.serviceAlias }}`);
    await step
      .getByLabel('Body')
      .fill('service: "{{ data.serviceAlias }}"\nenvironment: "{{ data.environment }}"\nnumber: "{{ data.deployNumber }}"');
    await page.getByText('The document is valid.').waitFor();

    // Dry run against the deploy recorded before: rendered URL and body, nothing sent.
    const picker = page.getByLabel(/Event matching/);
    await expect.poll(() => picker.locator('option').first().textContent()).toContain('checkout');
    await page.getByRole('button', { name: 'Dry run', exact: true }).click();
    const result = page.getByRole('status', { name: 'Dry run result' });
    await result.getByText('Would run').waitFor();
    const input = page.getByLabel('Rendered input of step request');
    await expect.poll(() => input.textContent()).toContain(`${sink.url}/hook/checkout`);
    expect(await input.textContent()).toContain('"number": "41"');
    expect(sink.requests).toHaveLength(0);

    // The YAML view shows the document the form made; the graph has one node per step.
    await page.getByRole('tab', { name: 'YAML' }).click();
    const yaml = await page.getByLabel('Reaction document (YAML)').inputValue();
    expect(yaml).toContain(`name: ${NAME}`);
    expect(yaml).toContain('uses: http.request');
    expect(yaml).toContain('environment: Production');
    await page.getByRole('tab', { name: 'Graph' }).click();
    await page.locator('.reactions-graph-step').first().waitFor();
    expect(await page.locator('.reactions-graph-step').count()).toBe(1);
    expect(await page.locator('.reactions-graph-trigger').textContent()).toContain('deploy.recorded');
    await bed.screenshot(page, 'reaction-editor');

    await page.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL(`**/reactions/${NAME}`);
    await page.getByText('Saved as version 1.').waitFor();

    await page.getByRole('link', { name: 'Reactions', exact: true }).click();
    const row = page.getByRole('row', { name: new RegExp(NAME) });
    await row.waitFor();
    expect(await row.textContent()).toContain('never');
    await page.locator('.live-dot[data-state="live"]').waitFor();

    await bed.shipline.ingest({ service: 'checkout', environment: 'Production', description: 'After the reaction', deploy_number: '42' });
    await row.getByText('succeeded').waitFor();
    await bed.screenshot(page, 'reactions');

    await sink.waitFor((requests) => requests.some((r) => r.path === '/hook/checkout'));
    const sent = sink.requests.find((r) => r.path === '/hook/checkout')!;
    expect(sent.method).toBe('POST');
    expect(JSON.parse(sent.body)).toEqual({ service: 'checkout', environment: 'Production', number: '42' });
  });

  it("dry-runs a made-up event that does not match, and shows the server's problem for an invalid edit in the YAML view", async () => {
    const page = await signedIn();
    await page.goto(`/reactions/${NAME}`);
    // A made-up event the trigger does not match: the dry run says why.
    await page.getByRole('tab', { name: 'Made-up event' }).click();
    await page.getByLabel('Made-up event type').fill('deploy.updated');
    await page.getByRole('button', { name: 'Dry run', exact: true }).click();
    const result = page.getByRole('status', { name: 'Dry run result' });
    await result.getByText('Would not run').waitFor();
    expect(await result.textContent()).toContain('Refused by on.event: event type deploy.updated does not match deploy.recorded');

    await page.getByRole('tab', { name: 'YAML' }).click();
    const text = page.getByLabel('Reaction document (YAML)');
    const yaml = await text.inputValue();
    expect(yaml).toContain('uses: http.request');
    await text.fill(yaml.replace('uses: http.request', 'uses: http.nope'));
    await page.getByRole('list', { name: 'Problems' }).getByText('unknown action "http.nope"').waitFor();
    // The form follows the YAML: the step now names the unknown action.
    await page.getByRole('tab', { name: 'Form' }).click();
    expect(await page.locator('section[data-step="request"]').getByLabel('Action').inputValue()).toBe('http.nope');
  });

  it('disables the reaction as a new version, shows it in the history, and restores the first version', async () => {
    const page = await signedIn();
    await page.goto(`/reactions/${NAME}`);
    await page.getByRole('button', { name: 'Disable' }).click();
    await page.getByText('Disabled: version 2.').waitFor();
    await page.getByRole('button', { name: 'Enable' }).waitFor();

    await page.getByRole('tab', { name: 'History' }).click();
    const versions = page.getByRole('table', { name: 'Versions' });
    const v2 = versions.locator('tr[data-version="2"]');
    await v2.waitFor();
    expect(await v2.textContent()).toContain('disabled');
    expect(await versions.locator('tr[data-version="1"]').textContent()).toContain('enabled');

    await versions.locator('tr[data-version="1"]').getByRole('button', { name: /View/ }).click();
    expect(await page.getByLabel('Document of version 1').textContent()).toContain('uses: http.request');
    await versions
      .locator('tr[data-version="1"]')
      .getByRole('button', { name: /Restore/ })
      .click();
    await page.getByText('Restored as version 3.').waitFor();
    await versions.locator('tr[data-version="3"]').getByText('enabled').waitFor();
    await page.getByRole('button', { name: 'Disable' }).waitFor();
  });

  it("refuses an admin-only action for a writer with the server's message, and is read-only for readers", async () => {
    const writer = { email: 'wendy@example.com', password: 'writer password 123' };
    const reader = { email: 'rick@example.com', password: 'reader password 123' };
    await bed.shipline.store.users.create({ ...writer, name: 'Wendy Writer', role: 'write' });
    await bed.shipline.store.users.create({ ...reader, name: 'Rick Reader', role: 'read' });

    const page = await signedIn(writer);
    await page.goto('/reactions/-/new');
    await page.getByRole('tab', { name: 'YAML' }).click();
    await page
      .getByLabel('Reaction document (YAML)')
      .fill('name: smoke\non:\n  event: deploy.recorded\nsteps:\n  smoke:\n    uses: script\n    with:\n      run: echo ok\n');
    await page.getByText('The document is valid.').waitFor();
    // Told before trying to save, by the live check.
    await page
      .getByRole('note')
      .getByText(/Only admins may apply reactions using script: you can check and dry-run it/)
      .waitFor();
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('alert').getByText('Only admins may apply reactions using script').waitFor();

    const readOnly = await signedIn(reader);
    await readOnly.goto(`/reactions/${NAME}`);
    await readOnly.getByText('changing it needs the write role').waitFor();
    expect(await readOnly.getByRole('button', { name: 'Save' }).count()).toBe(0);
    expect(await readOnly.getByRole('button', { name: 'Disable' }).count()).toBe(0);
    expect(await readOnly.getByRole('button', { name: 'Delete' }).count()).toBe(0);
    expect(await readOnly.getByLabel('Event type').isDisabled()).toBe(true);
    await readOnly.getByRole('tab', { name: 'History' }).click();
    await readOnly.getByRole('table', { name: 'Versions' }).waitFor();
    expect(await readOnly.getByRole('button', { name: /Restore/ }).count()).toBe(0);
  });

  it('deletes a reaction after confirming', async () => {
    const page = await signedIn();
    await page.goto(`/reactions/${NAME}`);
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.waitForURL('**/reactions');
    await page.getByText('No reactions yet.').waitFor();
  });

  it("offers an Octopus connection's projects, the chosen project's releases and its environments in the form", async () => {
    const sim = await startOctopusSim();
    try {
      const res = await bed.shipline.api({
        method: 'POST',
        url: '/api/v1/connections',
        payload: { type: 'octopus', name: 'octo', config: { serverUrl: sim.url }, secrets: { apiKey: sim.apiKey } },
      });
      expect(res.statusCode).toBe(201);
      const page = await signedIn();
      await page.goto('/reactions/-/new');
      // The trigger's options are the ones Octopus declares for its events, with pickers from the connection.
      await page.getByLabel('Event type').fill('octopus.deployment.*');
      await page.getByRole('combobox', { name: 'Connection' }).first().fill('octo');
      await page.getByLabel('Octopus Deploy categories').fill('DeploymentSucceeded, DeploymentFailed');
      await page.locator('datalist#trigger-project-choices option[value="Payments API"]').waitFor({ state: 'attached' });
      await page.locator('datalist#trigger-environment-choices option[value="Production"]').waitFor({ state: 'attached' });
      await page.getByLabel('Octopus Deploy project').fill('Payments API');
      await page.getByLabel("New step's action").selectOption('octopus.deployRelease');
      await page.getByRole('button', { name: 'Add step' }).click();
      const step = page.locator('section[data-step="deploy-release"]');
      const choice = (field: string, value: string) => step.locator(`datalist[id$="-with-${field}-choices"] option[value="${value}"]`);

      await choice('connection', 'octo').waitFor({ state: 'attached' });
      await step.getByRole('combobox', { name: /^Connection/ }).fill('octo');
      await choice('project', 'Payments API').waitFor({ state: 'attached' });
      expect(await choice('project', 'Web').count()).toBe(1);
      await step.getByRole('combobox', { name: /^Project/ }).fill('Payments API');
      await choice('release', '2.3.0').waitFor({ state: 'attached' });
      expect(await choice('release', '1.0.1').count()).toBe(0);
      await step.getByRole('combobox', { name: /^Release/ }).fill('2.3.0');
      await choice('environment', 'Production').waitFor({ state: 'attached' });
      await step.getByRole('combobox', { name: /^Environment/ }).fill('Production');

      await page.getByRole('tab', { name: 'YAML' }).click();
      const yaml = await page.getByLabel('Reaction document (YAML)').inputValue();
      for (const line of [
        'event: octopus.deployment.*',
        '- DeploymentSucceeded',
        'uses: octopus.deployRelease',
        'connection: octo',
        'project: Payments API',
        'release: 2.3.0',
        'environment: Production',
      ])
        expect(yaml).toContain(line);
    } finally {
      await bed.shipline.api({ method: 'DELETE', url: '/api/v1/connections/octo' });
      await sim.close();
    }
  });
  it('starts a new filter value empty, so what is typed is the value', async () => {
    const page = await signedIn();
    await page.goto('/reactions/-/new');
    await page.getByRole('button', { name: 'Add filter' }).click();
    const value = page.getByLabel('Value');
    expect(await value.inputValue()).toBe('');
    await value.pressSequentially('Production');
    expect(await value.inputValue()).toBe('Production');
    await page.getByRole('tab', { name: 'YAML' }).click();
    const yaml = await page.getByLabel('Reaction document (YAML)').inputValue();
    expect(yaml).toContain('environment: Production');
  });

  it('shows a pristine new reaction without problems until a field is touched or Create is pressed', async () => {
    const page = await signedIn();
    await page.goto('/reactions/-/new');
    await page.getByText('The document is checked as you fill it in.').waitFor();
    expect(await page.getByRole('list', { name: 'Problems' }).count()).toBe(0);
    // Create on the blank form: now the problems show.
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('list', { name: 'Problems' }).waitFor();

    // Touching a field shows them too.
    const other = await signedIn();
    await other.goto('/reactions/-/new');
    await other.getByLabel('Description').fill('Something');
    await other.getByRole('list', { name: 'Problems' }).waitFor();
  });

  it('opens a valid reaction without ever showing a problem', async () => {
    await bed.shipline.applyReaction({
      name: 'opens-clean',
      on: { event: 'deploy.recorded' },
      steps: { notify: { uses: 'http.request', with: { method: 'POST', url: `${sink.url}/clean` } } },
    });
    const page = await signedIn();
    // Records whether the problem list was ever in the page, however briefly (browser code, as text: no DOM types here).
    await page.addInitScript(
      `new MutationObserver(() => { if (document.querySelector('[aria-label="Problems"]')) window.sawProblems = true; })` +
        `.observe(document, { childList: true, subtree: true });`,
    );
    await page.goto('/reactions/opens-clean');
    await page.getByText('The document is valid.').waitFor();
    expect(await page.evaluate('window.sawProblems === true')).toBe(false);
  });

  it('removes a step in the form and gives the steps that ran after it its place', async () => {
    await bed.shipline.applyReaction({
      name: 'remove-keeps-followers',
      on: { event: 'deploy.recorded' },
      steps: {
        first: { uses: 'http.request', with: { method: 'POST', url: `${sink.url}/first` } },
        second: { uses: 'http.request', after: { step: 'first', channel: 'success' }, with: { method: 'POST', url: `${sink.url}/second` } },
      },
    });
    const page = await signedIn();
    await page.goto('/reactions/remove-keeps-followers');
    await page.getByText('The document is valid.').waitFor();
    await page.getByRole('button', { name: 'Remove step first' }).click();
    // No step is left waiting for the removed one: the document stays valid and `second` runs first.
    await page.getByText('The document is valid.').waitFor();
    await page.getByRole('tab', { name: 'YAML' }).click();
    const yaml = await page.getByLabel('Reaction document (YAML)').inputValue();
    expect(yaml).not.toContain('first');
    expect(yaml).toContain('second:');
    expect(yaml).not.toContain('after:');
  });

  it("marks the optional signing section's secret as required only once signing is used", async () => {
    const page = await signedIn();
    await page.goto('/reactions/-/new');
    await page.getByLabel("New step's action").selectOption('http.request');
    await page.getByRole('button', { name: 'Add step' }).click();
    const step = page.locator('section[data-step="request"]');
    const signing = step.getByRole('group', { name: /^Signing/ });
    await signing.waitFor();
    const secret = signing.getByLabel(/^Secret name/);
    expect(await secret.getAttribute('aria-required')).toBeNull();
    expect(await signing.locator('label').first().textContent()).not.toContain('required');
    await secret.fill('hook-key');
    await expect.poll(() => secret.getAttribute('aria-required')).toBe('true');
  });
  it('asks before leaving the editor with unsaved changes, and not after saving them', async () => {
    const page = await bed.newPage();
    await bed.signIn(page);
    const asked: string[] = [];
    let answer = false;
    page.on('dialog', (dialog) => {
      asked.push(dialog.message());
      void (answer ? dialog.accept() : dialog.dismiss());
    });
    await page.goto('/reactions/-/new');
    await page.getByLabel('Name', { exact: true }).fill('leave-me');
    const main = page.getByRole('navigation', { name: 'Main' });

    // A link out of the editor asks; staying keeps the edit.
    await main.getByRole('link', { name: 'Runs' }).click();
    await expect.poll(() => asked).toEqual(['Leave this reaction? Your unsaved changes will be lost.']);
    expect(new URL(page.url()).pathname).toBe('/reactions/-/new');
    expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe('leave-me');

    // Leaving anyway goes.
    answer = true;
    await main.getByRole('link', { name: 'Runs' }).click();
    await page.waitForURL('**/runs');
    await page.getByRole('heading', { name: 'Runs' }).waitFor();
    expect(asked).toHaveLength(2);

    // Saved changes leave without a question, also right after Create moved to the new page.
    await page.goto('/reactions/-/new');
    await page.getByLabel('Name', { exact: true }).fill('saved-then-left');
    await page.getByLabel('Event type').fill('deploy.recorded');
    await page.getByLabel("New step's action").selectOption('http.request');
    await page.getByRole('button', { name: 'Add step' }).click();
    await page.locator('section[data-step="request"]').getByLabel(/^URL/).fill(`${sink.url}/saved`);
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByText('Saved as version 1.').waitFor();
    await main.getByRole('link', { name: 'Runs' }).click();
    await page.waitForURL('**/runs');
    expect(asked).toHaveLength(2);
  });
  it("labels the step's timeout apart from the action's own", async () => {
    const page = await signedIn();
    await page.goto('/reactions/-/new');
    await page.getByLabel("New step's action").selectOption('http.request');
    await page.getByRole('button', { name: 'Add step' }).click();
    const step = page.locator('section[data-step="request"]');
    await step.waitFor();
    expect(await step.getByLabel('Timeout', { exact: true }).count()).toBe(0);
    const own = step.getByLabel('Step timeout', { exact: true });
    expect(await own.getAttribute('placeholder')).toBe('10m (default)');
    expect(await page.locator(`#${(await own.getAttribute('aria-describedby'))!}`).textContent()).toContain(
      "The request timeout below is the action's own limit.",
    );
    expect(await step.getByLabel(/^Request timeout/).getAttribute('placeholder')).toBe('30s');
    // Each writes its own key: the step's `timeout`, and the request's under `with`.
    await own.fill('2m');
    await step.getByLabel(/^Request timeout/).fill('5s');
    await page.getByRole('tab', { name: 'YAML' }).click();
    const yaml = await page.getByLabel('Reaction document (YAML)').inputValue();
    expect(yaml).toMatch(/\n {4}timeout: 2m\n/);
    expect(yaml).toMatch(/\n {6}timeout: 5s\n/);
  });
  it("keeps a long trigger inside the graph's ON node", async () => {
    const page = await signedIn();
    await page.goto('/reactions/-/new');
    await page.getByLabel('Event type').fill('octopus.deployment.manual-intervention.requested');
    await page.getByRole('tab', { name: 'Graph' }).click();
    const node = page.locator('.reactions-graph-trigger');
    await node.waitFor();
    // The text's boxes stay inside the node's (its connection handles stick out by design, so not scrollHeight).
    const overflow = await node.evaluate((el) => {
      const box = el.getBoundingClientRect();
      return {
        x: el.scrollWidth - el.clientWidth,
        texts: [...el.querySelectorAll('strong, span')].map((c) => {
          const r = c.getBoundingClientRect();
          return { wide: c.scrollWidth - c.clientWidth, below: r.bottom - box.bottom, right: r.right - box.right };
        }),
      };
    });
    expect(overflow.x).toBeLessThanOrEqual(0);
    expect(overflow.texts.length).toBeGreaterThan(0);
    for (const t of overflow.texts) {
      expect(t.wide).toBeLessThanOrEqual(0);
      expect(t.below).toBeLessThanOrEqual(0);
      expect(t.right).toBeLessThanOrEqual(0);
    }
    // The whole trigger is still there to read.
    expect(await node.getAttribute('aria-label')).toBe('Trigger: octopus.deployment.manual-intervention.requested');
  });
  it('gives a reaction named new its own page, and the form a path no name can take', async () => {
    const page = await signedIn();
    // The form's former address opens the form while no reaction is named new.
    await page.goto('/reactions/new');
    await page.getByRole('heading', { name: 'New reaction' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/reactions/-/new');

    await bed.shipline.applyReaction({
      name: 'new',
      description: 'A reaction that happens to be called new',
      on: { event: 'deploy.recorded' },
      steps: { note: { uses: 'http.request', with: { method: 'POST', url: `${sink.url}/named-new` } } },
    });
    await page.goto('/reactions');
    await page.getByRole('link', { name: 'new', exact: true }).click();
    await page.getByRole('heading', { name: 'new', exact: true }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/reactions/new');
    expect(await page.getByLabel('Description').inputValue()).toBe('A reaction that happens to be called new');
    await page.getByRole('button', { name: 'Disable' }).waitFor();

    // The same address opened directly, and the list's button still leads to the form.
    await page.goto('/reactions/new');
    await page.getByRole('heading', { name: 'new', exact: true }).waitFor();
    await page.goto('/reactions');
    await page.getByRole('link', { name: 'New reaction' }).click();
    await page.getByRole('heading', { name: 'New reaction' }).waitFor();
    expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe('');
  });
});
