import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { HAS_CHROMIUM, startUiTestBed } from './support.js';
import type { UiTestBed } from './support.js';

const request = (url: string) => ({ uses: 'http.request', with: { method: 'POST', url } });

describe.skipIf(!HAS_CHROMIUM)('web UI: editing a reaction on its graph', () => {
  let bed: UiTestBed;

  beforeAll(async () => {
    bed = await startUiTestBed();
  });
  afterAll(async () => {
    await bed?.close();
  });

  async function graphOf(name: string): Promise<Page> {
    const page = await bed.newPage();
    // A step that does not happen fails at its own line, inside the test's time.
    page.setDefaultTimeout(10_000);
    page.on('dialog', (dialog) => void dialog.accept());
    await bed.signIn(page);
    await page.goto(`/reactions/${name}`);
    await page.getByText('The document is valid.').waitFor();
    await page.getByRole('tab', { name: 'Graph' }).click();
    await page.locator('.reactions-graph-step').first().waitFor();
    return page;
  }
  const step = (page: Page, id: string) => page.locator(`.react-flow__node[data-id="step:${id}"]`);
  const edgeInto = (page: Page, id: string) => page.locator(`.react-flow__edge[data-id="after:${id}"]`);
  async function yamlOf(page: Page): Promise<string> {
    await page.getByRole('tab', { name: 'YAML' }).click();
    const text = await page.getByLabel('Reaction document (YAML)').inputValue();
    await page.getByRole('tab', { name: 'Graph' }).click();
    return text;
  }
  async function stored(name: string): Promise<Record<string, { after?: unknown; uses: string }>> {
    const res = await bed.shipline.api({ method: 'GET', url: `/api/v1/reactions/${name}` });
    expect(res.statusCode).toBe(200);
    return res.json<{ document: { steps: Record<string, { after?: unknown; uses: string }> } }>().document.steps;
  }
  /** Drags with the mouse from the centre of one element to the centre of another, as a user would. */
  async function drag(page: Page, from: Locator, to: Pick<Locator, 'boundingBox'>) {
    const a = (await from.boundingBox())!;
    const b = (await to.boundingBox())!;
    await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
    await page.mouse.down();
    await page.mouse.move(a.x + a.width / 2 + 10, a.y + a.height / 2 + 10, { steps: 3 });
    await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 10 });
    await page.mouse.up();
  }

  it('adds a step after another on its failed channel, shows it in the YAML and the form, and saves it', async () => {
    await bed.shipline.applyReaction({
      name: 'graph-add',
      on: { event: 'deploy.recorded' },
      steps: { build: request('https://example.com/build') },
    });
    const page = await graphOf('graph-add');
    await step(page, 'build').click();
    const panel = page.getByRole('region', { name: 'Edit the graph' });
    await panel.getByLabel('When build ends on').selectOption('failed');
    await panel.getByLabel('Its action').selectOption('http.request');
    await panel.getByRole('button', { name: 'Add step after build' }).click();
    await page.getByRole('status').getByText('Added request: it runs after build ends on failed.').waitFor();

    // On the graph: a new node, under build, joined by a "failed" connection.
    await step(page, 'request').waitFor();
    expect(await edgeInto(page, 'request').getAttribute('aria-label')).toBe('request runs after build ends on failed');
    expect(await edgeInto(page, 'request').textContent()).toBe('failed');
    expect(await yamlOf(page)).toMatch(/ {2}request:\n {4}uses: http\.request\n {4}after:\n {6}step: build\n {6}channel: failed\n/);

    // The form shows the same step, waiting for the same channel; its URL is filled there.
    await page.getByRole('tab', { name: 'Form' }).click();
    const form = page.locator('section[data-step="request"]');
    expect(await form.getByLabel('Runs').locator('option:checked').textContent()).toBe('after build ends on failed');
    await form.getByLabel(/^URL/).fill('https://example.com/page');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved as version 2.').waitFor();
    const steps = await stored('graph-add');
    expect(Object.keys(steps)).toEqual(['build', 'request']);
    expect(steps.request).toEqual({
      uses: 'http.request',
      after: { step: 'build', channel: 'failed' },
      with: { url: 'https://example.com/page' },
    });
  });

  it('connects two steps by dragging, refuses a loop with the reason, removes the connection with Delete, and saves', async () => {
    await bed.shipline.applyReaction({
      name: 'graph-connect',
      on: { event: 'deploy.recorded' },
      steps: { deploy: request('https://example.com/deploy'), rollback: request('https://example.com/rollback') },
    });
    const page = await graphOf('graph-connect');
    expect(await edgeInto(page, 'rollback').getAttribute('aria-label')).toBe('rollback runs first');
    // One input and an output per channel of http.request, each ready to connect.
    expect(await step(page, 'deploy').locator('.react-flow__handle.connectable').count()).toBe(3);

    // From deploy's "failed" output to rollback's input.
    await drag(
      page,
      step(page, 'deploy').locator('.react-flow__handle[data-handleid="failed"]'),
      step(page, 'rollback').locator('.react-flow__handle.target'),
    );
    await page.getByRole('status').getByText('rollback now runs after deploy ends on failed (it ran first).').waitFor();
    await expect.poll(() => edgeInto(page, 'rollback').getAttribute('aria-label')).toBe('rollback runs after deploy ends on failed');
    expect(await yamlOf(page)).toMatch(/ {2}rollback:\n[^]*after:\n {6}step: deploy\n {6}channel: failed\n/);

    // Back the other way would make them wait for each other: refused, saying why, and nothing changes.
    await drag(
      page,
      step(page, 'rollback').locator('.react-flow__handle[data-handleid="success"]'),
      step(page, 'deploy').locator('.react-flow__handle.target'),
    );
    await page
      .getByRole('alert')
      .getByText(
        'Not changed: deploy cannot run after rollback: rollback after deploy already, so the steps would wait for each other forever.',
      )
      .waitFor();
    await bed.screenshot(page, 'reaction-graph-edit');
    expect(await yamlOf(page)).not.toMatch(/deploy:\n[^]*after:[^]*rollback:/);

    // Select the connection and press Delete: rollback runs first again.
    await edgeInto(page, 'rollback').click();
    await page.getByRole('region', { name: 'Edit the graph' }).getByText('Connection: rollback runs after deploy ends on failed').waitFor();
    await page.keyboard.press('Delete');
    await page.getByRole('status').getByText('rollback no longer runs after deploy: it runs first, when the event arrives.').waitFor();
    await expect.poll(() => edgeInto(page, 'rollback').getAttribute('aria-label')).toBe('rollback runs first');
    expect(await yamlOf(page)).not.toContain('after:');

    // Connected again, this time dropped on the step's name rather than its input, and saved.
    await drag(page, step(page, 'deploy').locator('.react-flow__handle[data-handleid="failed"]'), step(page, 'rollback').locator('strong'));
    await page.getByRole('status').getByText('rollback now runs after deploy ends on failed (it ran first).').waitFor();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved as version 2.').waitFor();
    const steps = await stored('graph-connect');
    expect(steps.deploy!.after).toBeUndefined();
    expect(steps.rollback!.after).toEqual({ step: 'deploy', channel: 'failed' });
  });

  it('deletes a step from the keyboard, giving the step after it its place, and reorders a row by button and by dragging', async () => {
    await bed.shipline.applyReaction({
      name: 'graph-delete',
      on: { event: 'deploy.recorded' },
      steps: {
        build: request('https://example.com/build'),
        test: { ...request('https://example.com/test'), after: 'build' },
        ship: { ...request('https://example.com/ship'), after: { step: 'test', channel: 'success' } },
        lint: { ...request('https://example.com/lint'), after: 'build' },
      },
    });
    const page = await graphOf('graph-delete');
    // Focus the node, select it with Enter, delete it with Delete: no mouse.
    await step(page, 'test').focus();
    await page.keyboard.press('Enter');
    await page
      .getByRole('region', { name: 'Edit the graph' })
      .getByRole('heading', { name: /^Step test/ })
      .waitFor();
    await page.keyboard.press('Delete');
    await page.getByRole('status').getByText('Deleted test. ship now runs after build ends on success, in its place.').waitFor();
    await expect.poll(() => step(page, 'test').count()).toBe(0);
    expect(await edgeInto(page, 'ship').getAttribute('aria-label')).toBe('ship runs after build ends on success');

    // ship and lint share a row now; lint moves to the left of ship (and above it in the form).
    await step(page, 'lint').click();
    await page.getByRole('region', { name: 'Edit the graph' }).getByRole('button', { name: 'Move left' }).click();
    await page.getByRole('status').getByText('Moved lint before ship.').waitFor();
    const leftOf = async (a: string, b: string) => (await step(page, a).boundingBox())!.x < (await step(page, b).boundingBox())!.x;
    await expect.poll(() => leftOf('lint', 'ship')).toBe(true);
    // Dragged sideways past lint, ship takes the left place again.
    const lint = (await step(page, 'lint').boundingBox())!;
    await drag(page, step(page, 'ship').locator('strong'), { boundingBox: async () => ({ ...lint, x: lint.x - lint.width / 2 }) });
    await page.getByRole('status').getByText('Moved ship before lint.').waitFor();
    await expect.poll(() => leftOf('ship', 'lint')).toBe(true);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved as version 2.').waitFor();
    const steps = await stored('graph-delete');
    expect(Object.keys(steps)).toEqual(['build', 'ship', 'lint']);
    expect(steps.ship!.after).toEqual({ step: 'build', channel: 'success' });
  });

  it('shows a reader the graph without any way to change it', async () => {
    const reader = { email: 'rita@example.com', password: 'reader password 123' };
    await bed.shipline.store.users.create({ ...reader, name: 'Rita Reader', role: 'read' });
    await bed.shipline.applyReaction({
      name: 'graph-read',
      on: { event: 'deploy.recorded' },
      steps: { build: request('https://example.com/b') },
    });
    const page = await bed.newPage();
    page.setDefaultTimeout(10_000);
    await bed.signIn(page, reader);
    await page.goto('/reactions/graph-read');
    await page.getByRole('tab', { name: 'Graph' }).click();
    await step(page, 'build').waitFor();
    expect(await page.getByRole('region', { name: 'Edit the graph' }).count()).toBe(0);
    expect(await step(page, 'build').locator('.react-flow__handle.connectable').count()).toBe(0);
  });
});
