// Deploy insights benchmark: DORA and deploy queries over a large deploy history.
//
//   npm run bench:insights [-- --deploys 1000000 --services 500 --setups sqlite,postgres]
//
// Seeds DEPLOYS deploys across SERVICES services and 4 environments over 2 years (recorded in time
// order but for 1% that arrive late with an earlier deployed_at; random services and environments,
// 95% succeeded, 5% failed, commit data on 90%, versions reused now and then so rollbacks occur,
// plus 2,000 PagerDuty incidents), straight into the tables (the ingest has its own benchmark),
// then asks the real app, in process, and reports p50/p95 against the targets:
//   DORA for one service over one year       p95 <= 100 ms
//   DORA for all services over 90 days       p95 <= 1 s
//   deploy list by service + environment     p95 <= 50 ms
// PostgreSQL runs too when SHIPLINE_TEST_DATABASE_URL is set. Not part of `npm test`.
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { buildApp } from '../src/server/app.js';
import { openStore } from '../src/store/index.js';
import type { Store } from '../src/store/index.js';
import { rowsOf } from '../src/store/sql.js';

const DAY = 86_400_000;
const ENVIRONMENTS = ['production', 'staging', 'development', 'qa'];
const END = Date.parse('2025-06-01T00:00:00Z');
const START = END - 730 * DAY;
const TARGETS = { serviceYear: 100, all90: 1000, list: 50 };

interface Options {
  deploys: number;
  services: number;
  setups: Array<'sqlite' | 'postgres'>;
}

function parseArgs(argv: readonly string[]): Options {
  const options: Options = { deploys: 1_000_000, services: 500, setups: ['sqlite', 'postgres'] };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split('=', 2);
    const raw = inline ?? argv[++i] ?? '';
    if (flag === '--deploys') options.deploys = Number(raw);
    else if (flag === '--services') options.services = Number(raw);
    else if (flag === '--setups') options.setups = raw.split(',') as Options['setups'];
    else
      throw new Error(`unknown argument ${flag}\nusage: npm run bench:insights -- [--deploys n] [--services n] [--setups sqlite,postgres]`);
  }
  return options;
}

// A small deterministic generator, so both dialects get the same history.
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function seed(store: Store, options: Options): Promise<string[]> {
  const random = rng(42);
  const now = new Date().toISOString();
  const serviceIds = Array.from({ length: options.services }, () => randomUUID());
  await store.db.transaction(async (run) => {
    await run.query('INSERT INTO deploy_endpoints (id, name, created_at) VALUES (?, ?, ?)', ['bench', 'bench', now]);
    for (let i = 0; i < serviceIds.length; i++) {
      await run.query('INSERT INTO services (id, name, description, owner, tags, created_at, updated_at) VALUES (?, ?, NULL, ?, ?, ?, ?)', [
        serviceIds[i],
        `svc-${i}`,
        `team-${i % 25}`,
        '[]',
        now,
        now,
      ]);
      await run.query('INSERT INTO service_aliases (alias, service_id) VALUES (?, ?)', [`svc-${i}`, serviceIds[i]]);
    }
  });
  const BATCH = 1000;
  const started = Date.now();
  for (let done = 0; done < options.deploys;) {
    await store.db.transaction(async (run) => {
      for (let b = 0; b < 20 && done < options.deploys; b++) {
        const n = Math.min(BATCH, options.deploys - done);
        const params: unknown[] = [];
        for (let k = 0; k < n; k++) {
          const s = Math.floor(random() * serviceIds.length);
          // Deploys are recorded roughly as they happen; 1% arrive late, with an earlier deployed_at.
          const onTime = START + Math.floor(((done + k + random()) / options.deploys) * (END - START));
          const at = random() < 0.01 ? START + Math.floor(random() * (onTime - START)) : onTime;
          const deployedAt = new Date(at).toISOString();
          const version = Math.floor(at / (2 * DAY)) - (random() < 0.02 ? 3 : 0);
          const commit =
            random() < 0.9
              ? JSON.stringify({
                  sha: `${s}-${version}`,
                  message: 'change',
                  branch: 'main',
                  date: null,
                  committerName: null,
                  committerEmail: null,
                  authorName: 'a',
                  authorEmail: null,
                  authoringDate: new Date(at - Math.floor(random() * 3 * DAY)).toISOString(),
                })
              : null;
          params.push(
            randomUUID(),
            'bench',
            serviceIds[s],
            `svc-${s}`,
            ENVIRONMENTS[Math.floor(random() * 4)],
            'bench deploy',
            deployedAt,
            null,
            String(done + k + 1),
            null,
            null,
            'ci@example.com',
            null,
            commit,
            deployedAt,
            random() < 0.95 ? 'succeeded' : 'failed',
            'custom',
          );
        }
        await run.query(
          `INSERT INTO deploys (id, endpoint_id, service_id, service_alias, environment, description, deployed_at, deploy_url, deploy_number, dedup_id,
            deployer_id, deployer_email, deployer_name, commit_json, received_at, status, source) VALUES ${rowsOf(n, 17)}`,
          params,
        );
        done += n;
      }
    });
    if (done % 100_000 === 0) process.stdout.write(`  seeded ${done} deploys (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
  }
  await store.db.transaction(async (run) => {
    for (let i = 0; i < 2000; i++) {
      const s = Math.floor(random() * serviceIds.length);
      const at = START + Math.floor(random() * (END - START));
      const data = {
        incidentId: `PD-${i}`,
        title: 'bench',
        service: { id: `P${s}`, name: `svc-${s}` },
        createdAt: new Date(at).toISOString(),
        occurredAt: new Date(at).toISOString(),
      };
      await run.query('INSERT INTO events (id, type, source, source_key, occurred_at, data, created_at) VALUES (?, ?, ?, NULL, ?, ?, ?)', [
        randomUUID(),
        'pagerduty.incident.triggered',
        'bench',
        data.createdAt,
        JSON.stringify(data),
        now,
      ]);
      const resolved = new Date(at + Math.floor(random() * DAY)).toISOString();
      await run.query('INSERT INTO events (id, type, source, source_key, occurred_at, data, created_at) VALUES (?, ?, ?, NULL, ?, ?, ?)', [
        randomUUID(),
        'pagerduty.incident.resolved',
        'bench',
        resolved,
        JSON.stringify({ ...data, resolvedAt: resolved, occurredAt: resolved }),
        now,
      ]);
    }
    await run.query('ANALYZE');
  });
  return serviceIds;
}

async function timed(
  app: FastifyInstance,
  token: string,
  label: string,
  urls: () => string,
  samples: number,
  target: number,
): Promise<boolean> {
  const times: number[] = [];
  for (let i = 0; i < samples + 2; i++) {
    const url = urls();
    const t0 = performance.now();
    const res = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
    const ms = performance.now() - t0;
    if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body.slice(0, 300)}`);
    if (i >= 2) times.push(ms); // the first two warm caches
  }
  times.sort((a, b) => a - b);
  const at = (p: number) => times[Math.min(times.length - 1, Math.ceil((p / 100) * times.length) - 1)]!;
  const ok = at(95) <= target;
  process.stdout.write(
    `  ${label.padEnd(42)} p50 ${at(50).toFixed(1).padStart(7)} ms   p95 ${at(95).toFixed(1).padStart(7)} ms   target <= ${target} ms  ${ok ? 'ok' : 'MISSED'}\n`,
  );
  return ok;
}

async function measure(setup: string, dbOptions: { dataDir: string; databaseUrl?: string }, options: Options): Promise<boolean> {
  process.stdout.write(
    `\n${setup}: ${options.deploys} deploys, ${options.services} services, ${ENVIRONMENTS.length} environments, 2 years\n`,
  );
  const store = openStore({ ...dbOptions, masterKey: randomBytes(32).toString('base64') });
  try {
    await store.migrate();
    const t0 = Date.now();
    const serviceIds = await seed(store, options);
    process.stdout.write(`  seeded in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
    const app = await buildApp({ store, config: { publicUrl: 'http://bench', bodyLimit: 1 << 20 } });
    const { token } = await store.tokens.create('bench', 'read');
    const random = rng(7);
    const pick = () => serviceIds[Math.floor(random() * serviceIds.length)]!;
    const to = new Date(END).toISOString();
    const yearAgo = new Date(END - 365 * DAY).toISOString();
    const days90 = new Date(END - 90 * DAY).toISOString();
    const t1 = performance.now();
    const facts = await store.insights.facts({
      from: days90,
      to,
      incidentWindowMs: 3_600_000,
      environments: [{ key: 'production', spellings: ['production'] }],
      productionKeys: new Set(['production']),
    });
    process.stdout.write(
      `  (all services, 90 days: ${facts.classified.size} deploys read and classified in ${(performance.now() - t1).toFixed(0)} ms)\n`,
    );
    const first = await app.inject({
      method: 'GET',
      url: '/api/v1/deploys?environment=production',
      headers: { authorization: `Bearer ${token}` },
    });
    const secondPage = encodeURIComponent((first.json() as { nextCursor: string }).nextCursor);
    const results = [
      await timed(
        app,
        token,
        'DORA, one service, one year (weekly)',
        () => `/api/v1/insights/dora?service=${pick()}&from=${yearAgo}&to=${to}`,
        50,
        TARGETS.serviceYear,
      ),
      await timed(
        app,
        token,
        'DORA, all services, 90 days (weekly)',
        () => `/api/v1/insights/dora?from=${days90}&to=${to}`,
        20,
        TARGETS.all90,
      ),
      await timed(
        app,
        token,
        'deploys by service + environment',
        () => `/api/v1/deploys?service=${pick()}&environment=production`,
        200,
        TARGETS.list,
      ),
      await timed(app, token, 'deploys by environment', () => `/api/v1/deploys?environment=production`, 200, TARGETS.list),
      await timed(
        app,
        token,
        'deploys by environment, page 2',
        () => `/api/v1/deploys?environment=production&cursor=${secondPage}`,
        200,
        TARGETS.list,
      ),
    ];
    await app.close();
    return results.every(Boolean);
  } finally {
    await store.close();
  }
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  let ok = true;
  if (options.setups.includes('sqlite')) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipline-bench-insights-'));
    try {
      ok = (await measure('SQLite', { dataDir }, options)) && ok;
    } finally {
      if (process.env.BENCH_KEEP) process.stdout.write(`kept ${dataDir}\n`);
      else fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }
  const url = process.env.SHIPLINE_TEST_DATABASE_URL;
  if (options.setups.includes('postgres') && url) {
    const name = `shipline_bench_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const dbUrl = new URL(url);
    dbUrl.pathname = `/${name}`;
    try {
      ok = (await measure('PostgreSQL', { dataDir: os.tmpdir(), databaseUrl: dbUrl.toString() }, options)) && ok;
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  } else if (options.setups.includes('postgres')) {
    process.stdout.write('\nPostgreSQL skipped: set SHIPLINE_TEST_DATABASE_URL to measure it too.\n');
  }
  process.stdout.write(`\n${ok ? 'every target met' : 'some targets missed'}\n`);
  process.exitCode = ok ? 0 : 1;
}

await main();
