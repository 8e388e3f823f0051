// Web UI budget: the first page's JavaScript size and how fast the deploys page shows its first
// screen with 10,000 deploys in the store.
//
//   npm run bench:ui [-- --deploys 10000 --runs 10]
//
// 1. Bundle: the JavaScript index.html loads before the first page can render (the entry script
//    and its modulepreloads; lazily loaded page chunks are not counted), gzipped (level 6, what
//    servers and CDNs use by default). Target < 300 kB.
// 2. First screen: a real Shipline (`startShipline`, SQLite in a temporary directory) with DEPLOYS
//    deploys posted through the ingest URL; headless Debian Chromium, signed in, opens /deploys in
//    a fresh browser context (empty cache) RUNS times. Measured in the page: from navigation start
//    to the moment the deploys table holds its first rows (a MutationObserver stamps
//    performance.now()), plus the server's answer for the list. Target < 1 s.
// Not part of `npm test`.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { loadConfig } from '../src/config.js';
import { startShipline } from '../src/main.js';

const WEB = path.resolve('dist/web');
const CHROMIUM = process.env.SHIPLINE_CHROMIUM ?? '/usr/bin/chromium';
const TARGETS = { bundleKb: 300, firstScreenMs: 1000 };

function parseArgs(argv: readonly string[]) {
  const options = { deploys: 10_000, runs: 10 };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split('=', 2);
    const raw = Number(inline ?? argv[++i]);
    if (flag === '--deploys') options.deploys = raw;
    else if (flag === '--runs') options.runs = raw;
    else throw new Error(`unknown argument ${flag}\nusage: npm run bench:ui -- [--deploys n] [--runs n]`);
  }
  return options;
}

/** The scripts the browser must fetch before the first page renders, with raw and gzipped sizes. */
function firstPageScripts(): Array<{ file: string; raw: number; gzip: number }> {
  const html = fs.readFileSync(path.join(WEB, 'index.html'), 'utf8');
  const files = new Set<string>();
  for (const match of html.matchAll(/<script[^>]+src="([^"]+)"/g)) files.add(match[1]!);
  for (const match of html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g)) files.add(match[1]!);
  return [...files].map((file) => {
    const body = fs.readFileSync(path.join(WEB, file));
    return { file, raw: body.length, gzip: gzipSync(body, { level: 6 }).length };
  });
}

async function seedDeploys(url: string, token: string, count: number): Promise<void> {
  const endpoint = await fetch(`${url}/api/v1/deploy-endpoints`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bench' }),
  }).then((r) => r.json() as Promise<{ url: string }>);
  const services = ['checkout', 'payments', 'search', 'catalog', 'notifications', 'accounts', 'shipping', 'reviews'];
  const environments = ['Production', 'Staging', 'Development'];
  const start = Date.now() - count * 60_000;
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const res = await fetch(endpoint.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          service: services[i % services.length],
          environment: environments[i % environments.length],
          description: `Deploy ${i}: ${randomBytes(6).toString('hex')}`,
          deployed_at: new Date(start + i * 60_000).toISOString(),
          deployer: { email: `dev${i % 17}@example.com`, name: `Developer ${i % 17}` },
          commit: { sha: randomBytes(20).toString('hex'), message: 'Change things', branch: 'main' },
        }),
      });
      if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
}

/** Stamps performance.now() when the deploys table first holds rows. */
const STAMP_FIRST_ROWS = `
  new MutationObserver((_m, observer) => {
    if (document.querySelector('table[aria-label="Deploys"] tbody tr')) {
      window.firstRowsAt = performance.now();
      observer.disconnect();
    }
  }).observe(document, { childList: true, subtree: true });`;

/** The stamp and the deploy list request's time from request to last byte. */
const READ_TIMINGS = `(() => {
  const entry = performance.getEntriesByType('resource').find((e) => e.name.includes('/api/v1/deploys'));
  return { firstRowsAt: window.firstRowsAt, api: entry ? entry.responseEnd - entry.requestStart : NaN };
})()`;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(path.join(WEB, 'index.html')))
    throw new Error('dist/web is missing: run `npm run build` first (npm run bench:ui does)');

  const scripts = firstPageScripts();
  const totalGzip = scripts.reduce((sum, s) => sum + s.gzip, 0) / 1024;
  console.log('First page JavaScript (entry and modulepreloads):');
  for (const s of scripts) console.log(`  ${s.file}  ${(s.raw / 1024).toFixed(1)} kB raw, ${(s.gzip / 1024).toFixed(1)} kB gzipped`);
  console.log(
    `  total ${totalGzip.toFixed(1)} kB gzipped (target < ${TARGETS.bundleKb} kB): ${totalGzip < TARGETS.bundleKb ? 'met' : 'MISSED'}`,
  );

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipline-bench-ui-'));
  const token = `shp_${randomBytes(24).toString('base64url')}`;
  const shipline = await startShipline(
    loadConfig({
      SHIPLINE_PORT: '0',
      SHIPLINE_HOST: '127.0.0.1',
      SHIPLINE_DATA_DIR: dataDir,
      SHIPLINE_ADMIN_TOKEN: token,
      SHIPLINE_LOG_LEVEL: 'warn',
    }),
  );
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  try {
    const seeded = Date.now();
    await seedDeploys(shipline.url, token, options.deploys);
    console.log(`\nSeeded ${options.deploys} deploys through the ingest URL in ${((Date.now() - seeded) / 1000).toFixed(1)} s`);
    const user = { email: 'bench@example.com', password: 'a long benchmark password' };
    await fetch(`${shipline.url}/api/v1/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...user, name: 'Bench', role: 'read' }),
    });

    const firstScreen: number[] = [];
    const apiMs: number[] = [];
    for (let run = 0; run < options.runs + 1; run++) {
      // A new context each time: no HTTP cache, no service worker, as a first visit.
      const context = await browser.newContext({ baseURL: shipline.url, viewport: { width: 1280, height: 860 } });
      const signIn = await context.request.post('/auth/session', { data: user });
      if (!signIn.ok()) throw new Error(`sign-in failed: ${signIn.status()}`);
      // Page-side code as text: this file is compiled without the DOM's types.
      await context.addInitScript({ content: STAMP_FIRST_ROWS });
      const page = await context.newPage();
      await page.goto('/deploys');
      await page.locator('table[aria-label="Deploys"] tbody tr').first().waitFor();
      const measured = (await page.evaluate(READ_TIMINGS)) as { firstRowsAt: number; api: number };
      const rows = await page.locator('table[aria-label="Deploys"] tbody tr').count();
      if (run === 0) console.log(`Warm-up run: ${measured.firstRowsAt.toFixed(0)} ms to the first screen (${rows} rows); not counted`);
      else {
        firstScreen.push(measured.firstRowsAt);
        apiMs.push(measured.api);
      }
      await context.close();
    }
    firstScreen.sort((a, b) => a - b);
    apiMs.sort((a, b) => a - b);
    const p50 = percentile(firstScreen, 50);
    const worst = firstScreen[firstScreen.length - 1]!;
    console.log(`\nDeploys page, first screen with ${options.deploys} deploys stored (${options.runs} cold loads):`);
    console.log(
      `  navigation start to first rows: p50 ${p50.toFixed(0)} ms, max ${worst.toFixed(0)} ms (target < ${TARGETS.firstScreenMs} ms): ${worst < TARGETS.firstScreenMs ? 'met' : 'MISSED'}`,
    );
    console.log(
      `  GET /api/v1/deploys (first page of 50): p50 ${percentile(apiMs, 50).toFixed(1)} ms, max ${apiMs[apiMs.length - 1]!.toFixed(1)} ms`,
    );
  } finally {
    await browser.close();
    await shipline.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
