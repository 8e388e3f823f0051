import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startEngineApp } from '../support/runtime.js';
import type { EngineAppOptions, EngineTestApp } from '../support/runtime.js';

/** Debian's Chromium (`apt-get install chromium`); .ci/run installs it when missing. */
export const CHROMIUM = process.env.SHIPLINE_CHROMIUM ?? '/usr/bin/chromium';
/** Whether the browser tests can run here. CI sets SHIPLINE_E2E_REQUIRED=1 so a missing browser fails instead. */
export const HAS_CHROMIUM = existsSync(CHROMIUM);
if (!HAS_CHROMIUM && process.env.SHIPLINE_E2E_REQUIRED === '1') {
  throw new Error(`SHIPLINE_E2E_REQUIRED=1 but no Chromium at ${CHROMIUM}: apt-get install -y chromium`);
}

/** Screenshots land in docs/screenshots with SHIPLINE_SCREENSHOTS=1 (`npm run screenshots`), else in a scratch folder. */
const SHOTS = process.env.SHIPLINE_SCREENSHOTS === '1' ? path.resolve('docs/screenshots') : path.resolve('data/e2e-screenshots');

/** Headless Chromium as every browser test starts it. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
}

export const USER = { email: 'ada@example.com', name: 'Ada Lovelace', password: 'correct horse battery staple' };

export interface NewPageOptions {
  width?: number;
  height?: number;
  colorScheme?: 'light' | 'dark';
  /** The browser's IANA time zone (default: the machine's). */
  timezoneId?: string;
  /** The browser's locale (default: the machine's). */
  locale?: string;
}

export interface UiTestBed {
  shipline: EngineTestApp;
  url: string;
  browser: Browser;
  /** A fresh browser context (its own cookies) with one page; closed by `close()`. */
  newPage(options?: NewPageOptions): Promise<Page>;
  /** Signs `page` in through the sign-in form as USER (an admin unless created otherwise). */
  signIn(page: Page, user?: { email: string; password: string }): Promise<void>;
  /** Saves a full-page PNG named `<name>.png` (see SHOTS). */
  screenshot(page: Page, name: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * A real Shipline (server and engine, listening on 127.0.0.1) on a temporary SQLite store, with
 * an admin user, and headless Chromium driving it: what a user's browser would do.
 */
export async function startUiTestBed(options: EngineAppOptions = {}): Promise<UiTestBed> {
  const shipline = await startEngineApp('sqlite', { ...options, listen: true });
  await shipline.store.users.create({ email: USER.email, name: USER.name, role: 'admin', password: USER.password });
  const browser = await launchChromium();
  const contexts: BrowserContext[] = [];
  const url = shipline.url!;
  return {
    shipline,
    url,
    browser,
    async newPage({ width = 1280, height = 860, colorScheme = 'light', timezoneId, locale } = {}) {
      const context = await browser.newContext({ viewport: { width, height }, colorScheme, baseURL: url, timezoneId, locale });
      contexts.push(context);
      return context.newPage();
    },
    async signIn(page, user = USER) {
      await page.goto('/sign-in');
      await page.getByLabel('Email').fill(user.email);
      await page.getByLabel('Password').fill(user.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('navigation', { name: 'Main' }).waitFor();
    },
    async screenshot(page, name) {
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: false });
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close();
      await shipline.close();
    },
  };
}
