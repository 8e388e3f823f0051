import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_CHROMIUM, startUiTestBed } from './support.js';
import type { UiTestBed } from './support.js';

describe.skipIf(!HAS_CHROMIUM)('web UI: themes, narrow windows, keyboard, sign-out', () => {
  let bed: UiTestBed;

  beforeAll(async () => {
    bed = await startUiTestBed();
    await bed.shipline.ingest({ service: 'checkout', environment: 'Production', description: 'A deploy to look at' });
  });
  afterAll(async () => bed?.close());

  it('switches to the dark theme and remembers it across reloads', async () => {
    const page = await bed.newPage({ colorScheme: 'light' });
    await bed.signIn(page);
    // Page-side code as text: the tests compile without the DOM's types.
    const background = () => page.evaluate<string>('getComputedStyle(document.body).backgroundColor');
    const light = await background();
    await page.getByRole('button', { name: 'Switch to dark theme' }).click();
    expect(await page.evaluate<string>('document.documentElement.dataset.theme')).toBe('dark');
    expect(await background()).not.toBe(light);
    await page.reload();
    await page.getByRole('button', { name: 'Switch to light theme' }).waitFor();
    expect(await background()).not.toBe(light);
    await bed.screenshot(page, 'deploys-dark');
  });

  it("follows the system's dark preference until a theme is chosen", async () => {
    const page = await bed.newPage({ colorScheme: 'dark' });
    await bed.signIn(page);
    await page.getByRole('button', { name: 'Switch to light theme' }).waitFor();
  });

  it('fits a narrow window: the menu wraps and secondary columns give way', async () => {
    const page = await bed.newPage({ width: 400, height: 800 });
    await bed.signIn(page);
    await page.getByRole('row', { name: /checkout/ }).waitFor();
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await page.getByRole('columnheader', { name: 'Commit' }).isVisible()).toBe(false);
    expect(await page.getByRole('link', { name: 'Settings' }).isVisible()).toBe(true);
    await bed.screenshot(page, 'deploys-narrow');
  });

  it('is usable from the keyboard: skip link, menu links, and the deploy row links', async () => {
    const page = await bed.newPage();
    await bed.signIn(page);
    await page.getByRole('row', { name: /checkout/ }).waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string>('document.activeElement?.textContent')).toBe('Skip to content');
    // Tab through the menu until Services has focus, then follow it with Enter.
    for (let i = 0; i < 15; i++) {
      await page.keyboard.press('Tab');
      if ((await page.evaluate<string>('document.activeElement?.textContent')) === 'Services') break;
    }
    await page.keyboard.press('Enter');
    await page.waitForURL('**/services');
  });

  it("marks the menu entry of the page's section, the reaction templates under Reactions", async () => {
    const page = await bed.newPage();
    await bed.signIn(page);
    const menu = page.getByRole('navigation', { name: 'Main' });
    const marked = () => menu.locator('a[aria-current="page"]').allTextContents();
    for (const [path, entry] of [
      ['/deploys', 'Deploys'],
      ['/reactions', 'Reactions'],
      ['/reaction-templates', 'Reactions'],
      ['/runs', 'Runs'],
    ] as const) {
      await page.goto(path);
      await expect.poll(marked).toEqual([entry]);
    }
  });

  it('shares one live stream per tab among every listener, across pages', async () => {
    const page = await bed.newPage();
    const streams: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/api/v1/events/stream')) streams.push(request.url());
    });
    await bed.signIn(page);
    await page.getByRole('row', { name: /checkout/ }).waitFor();
    // The deploy page listens for its deploy's updates and for the runs it starts: two listeners.
    await page
      .getByRole('row', { name: /checkout/ })
      .getByRole('link')
      .first()
      .click();
    await page.waitForURL('**/deploys/*');
    await page.getByRole('heading', { name: /A deploy to look at/ }).waitFor();
    await page.getByRole('link', { name: 'Events' }).click();
    await page.locator('.live-dot[data-state="live"]').waitFor();
    expect(streams).toHaveLength(1);
    // A deploy recorded now reaches the Events page through that same stream.
    await bed.shipline.ingest({ service: 'checkout', environment: 'Staging', description: 'Seen on the shared stream' });
    await page.getByText('checkout → Staging').waitFor();
    expect(streams).toHaveLength(1);
  });

  it('signs out, and the API then refuses the old cookie', async () => {
    const page = await bed.newPage();
    await bed.signIn(page);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/sign-in**');
    const status = await page.evaluate<number>("fetch('/api/v1/deploys').then((r) => r.status)");
    expect(status).toBe(401);
  });
  it('loads the sign-in page signed out without a console error, and signs in', async () => {
    const page = await bed.newPage();
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto('/deploys');
    await page.waitForURL('**/sign-in**');
    await page.getByLabel('Email').waitFor();
    await page.reload();
    await page.getByLabel('Email').waitFor();
    await bed.signIn(page);
    await page
      .getByRole('row', { name: /checkout/ })
      .first()
      .waitFor();
    expect(errors).toEqual([]);
  });
  it('keeps Sign out in view at a 900 px window height on a long page', async () => {
    const page = await bed.newPage({ width: 1280, height: 900 });
    await bed.signIn(page);
    // The reaction form with a step is taller than the window.
    await page.goto('/reactions/new');
    await page.getByLabel("New step's action").selectOption('http.request');
    await page.getByRole('button', { name: 'Add step' }).click();
    await page.locator('section[data-step="request"]').waitFor();
    expect(await page.evaluate<number>('document.documentElement.scrollHeight')).toBeGreaterThan(900);
    const box = (await page.getByRole('button', { name: 'Sign out' }).boundingBox())!;
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.y + box.height).toBeLessThanOrEqual(900);
    // Scrolled to the end, it is still there.
    await page.evaluate('window.scrollTo(0, document.documentElement.scrollHeight)');
    const after = (await page.getByRole('button', { name: 'Sign out' }).boundingBox())!;
    expect(after.y + after.height).toBeLessThanOrEqual(900);
  });
});
