import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { sqliteDatabaseClass } from '../../src/store/sqlite-driver.js';
import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { startTestApp, seedPayload } from '../support/app.js';
import type { TestApp } from '../support/app.js';
import { DIALECTS, freshDatabase, POSTGRES_URL } from '../support/databases.js';
import type { TestDatabase } from '../support/databases.js';
import { startServer } from '../support/server-process.js';
import type { ServerProcess } from '../support/server-process.js';

// The build of better-sqlite3 Shipline itself opens on this Node.
const SqliteDatabase = sqliteDatabaseClass();

/**
 * A store that goes away (PostgreSQL connections terminated or refused, a SQLite file locked by
 * another process or full) must not stop Shipline: the API and the deploy webhook answer 503
 * store.unavailable with Retry-After meanwhile, the outage is logged once, and Shipline carries
 * on by itself once the store is back.
 */

const POSTGRES = DIALECTS.filter((d) => d === 'postgres');
const DEADLINE_MS = 20_000;

function expectIngestUnavailable(res: { status: number; headers: Record<string, unknown>; body: string }): void {
  expect(res.status, res.body).toBe(503);
  expect(res.headers['retry-after']).toBe('5');
  expect(JSON.parse(res.body)).toEqual({ errors: [{ status: 503, title: 'Service Unavailable Error', detail: expect.any(String) }] });
}

function expectApiUnavailable(res: LightMyRequestResponse | { status: number; headers: Record<string, unknown>; body: string }): void {
  const status = 'statusCode' in res ? res.statusCode : res.status;
  expect(status, res.body).toBe(503);
  expect(res.headers['retry-after']).toBe('5');
  expect(JSON.parse(res.body)).toEqual({ error: { code: 'store.unavailable', status: 503, message: expect.any(String) } });
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Ends every connection Shipline holds to `database`; with `refuse`, new ones are refused too. */
function cutOff(database: string, refuse: boolean): Promise<void> {
  return admin(async (client) => {
    if (refuse) await client.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS false`);
    await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database]);
  });
}

function reconnect(database: string): Promise<void> {
  return admin(async (client) => {
    await client.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS true`);
  });
}

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + DEADLINE_MS;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const lines = (output: string, text: string) => output.split('\n').filter((line) => line.includes(text)).length;

describe.each(POSTGRES)('a Shipline process whose PostgreSQL connections are terminated (%s)', (dialect) => {
  let server: ServerProcess | undefined;
  let database: TestDatabase | undefined;

  afterEach(async () => {
    await server?.stop();
    await database?.drop();
    server = undefined;
    database = undefined;
  });

  it('pg_terminate_backend on all its connections, five times under 40 deploys/s, then refused connections: it lives, answers 202 or 503 store.unavailable, logs the outage once and recovers', async () => {
    database = await freshDatabase(dialect);
    const name = new URL(database.options.databaseUrl!).pathname.slice(1);
    const token = randomBytes(24).toString('hex');
    server = await startServer({ dataDir: database.options.dataDir, databaseUrl: database.options.databaseUrl, adminToken: token });
    const running = server;
    const created = await fetch(`${running.url}/api/v1/deploy-endpoints`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'ci' }),
    });
    const ingestUrl = `${running.url}${new URL(((await created.json()) as { url: string }).url).pathname}`;
    // Each deploy starts a run, so the engine claims jobs and records outcomes through the outage too.
    const reaction = await fetch(`${running.url}/api/v1/reactions/after-deploy`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ on: { event: 'deploy.recorded' }, steps: { pause: { uses: 'wait', with: { duration: '1s' } } } }),
    });
    expect(reaction.status, await reaction.text()).toBeLessThan(300);
    let n = 0;
    const committed: string[] = [];
    const post = async () => {
      const dedup = `outage-${n++}`;
      const res = await fetch(ingestUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(seedPayload({ dedup_id: dedup })),
      });
      const answer = { status: res.status, headers: Object.fromEntries(res.headers), body: await res.text() };
      if (answer.status === 202) committed.push(dedup);
      return answer;
    };

    // Terminations: whatever was in flight is committed (202) or refused (503), never lost or crashed.
    const sent: Array<Promise<Awaited<ReturnType<typeof post>>>> = [];
    const load = setInterval(() => sent.push(post()), 25);
    try {
      for (let i = 0; i < 5; i++) {
        await new Promise((resolve) => setTimeout(resolve, 400));
        await cutOff(name, false);
      }
      await new Promise((resolve) => setTimeout(resolve, 400));
    } finally {
      clearInterval(load);
    }
    for (const answer of await Promise.all(sent)) {
      if (answer.status !== 202) expectIngestUnavailable(answer);
    }
    expect(running.running(), running.output()).toBe(true);
    // Each outage so far has ended (one line when it starts, one when it ends).
    await until('the outages to end', async () => {
      const output = running.output();
      return lines(output, 'store reachable again') === lines(output, 'store unavailable') ? true : undefined;
    });
    const outagesBefore = lines(running.output(), 'store unavailable');

    // An outage window: connections refused. Every answer is 503 store.unavailable with Retry-After.
    await cutOff(name, true);
    try {
      for (let i = 0; i < 20; i++) expectIngestUnavailable(await post());
      const api = await fetch(`${running.url}/api/v1/deploys`, { headers: { authorization: `Bearer ${token}` } });
      expectApiUnavailable({ status: api.status, headers: Object.fromEntries(api.headers), body: await api.text() });
    } finally {
      await reconnect(name);
    }
    await until('a 202 after the outage', async () => ((await post()).status === 202 ? true : undefined));
    expect(running.running(), running.output()).toBe(true);
    await until('the recovery line', async () =>
      lines(running.output(), 'store reachable again') === outagesBefore + 1 ? true : undefined,
    );
    const output = running.output();
    expect(lines(output, 'store unavailable'), output).toBe(outagesBefore + 1);
    expect(output).not.toMatch(/request failed|Unhandled|"stack"/);

    // Every acknowledged deploy is stored.
    const client = new pg.Client({ connectionString: database.options.databaseUrl });
    await client.connect();
    const stored = new Set(
      (await client.query<{ dedup_id: string }>('SELECT dedup_id FROM deploys').finally(() => client.end())).rows.map((r) => r.dedup_id),
    );
    expect(committed.length).toBeGreaterThan(0);
    expect(committed.filter((dedup) => !stored.has(dedup))).toEqual([]);
  }, 90_000);
});

describe.each(POSTGRES)('an in-process app whose PostgreSQL refuses connections (%s)', (dialect) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it("connections terminated and refused under an inject()ed app: 503 store.unavailable in each route's format, then 200 again", async () => {
    t = await startTestApp(dialect);
    const ingest = await t.endpointPath();
    const name = new URL(t.store.db.describe).pathname.slice(1);
    await cutOff(name, true);
    try {
      expectApiUnavailable(await t.api({ method: 'GET', url: '/api/v1/services' }));
      expectApiUnavailable(await t.api({ method: 'POST', url: '/api/v1/services', payload: { name: 'cart' } }));
      const res = await t.app.inject({ method: 'POST', url: ingest, payload: seedPayload() });
      expectIngestUnavailable({ status: res.statusCode, headers: res.headers, body: res.body });
    } finally {
      await reconnect(name);
    }
    expect((await t.api({ method: 'GET', url: '/api/v1/services' })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: ingest, payload: seedPayload() })).statusCode).toBe(202);
  });
});

describe('a SQLite store that is locked or full', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  const fileOf = (app: TestApp) => app.store.db.describe.replace(/^sqlite:/, '');

  it('another process holds the write lock (SQLITE_BUSY): 503 store.unavailable, then 202 once it lets go', async () => {
    t = await startTestApp('sqlite');
    const ingest = await t.endpointPath();
    // Waiting 5 s for the lock is the production setting; the test need not wait that long.
    await sql`PRAGMA busy_timeout = 50`.execute(t.store.db.kysely);
    const other = new SqliteDatabase(fileOf(t));
    try {
      other.exec('BEGIN IMMEDIATE');
      const res = await t.app.inject({ method: 'POST', url: ingest, payload: seedPayload() });
      expectIngestUnavailable({ status: res.statusCode, headers: res.headers, body: res.body });
      expectApiUnavailable(await t.api({ method: 'POST', url: '/api/v1/services', payload: { name: 'cart' } }));
      other.exec('ROLLBACK');
    } finally {
      other.close();
    }
    expect((await t.app.inject({ method: 'POST', url: ingest, payload: seedPayload() })).statusCode).toBe(202);
    expect((await t.api({ method: 'POST', url: '/api/v1/services', payload: { name: 'cart' } })).statusCode).toBe(201);
  });

  it('20 deploys at once while the write lock is held: all answer 503 within a few lock waits, not one wait per deploy', async () => {
    t = await startTestApp('sqlite');
    const ingest = await t.endpointPath();
    await sql`PRAGMA busy_timeout = 500`.execute(t.store.db.kysely);
    const other = new SqliteDatabase(fileOf(t));
    try {
      other.exec('BEGIN IMMEDIATE');
      const started = Date.now();
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          t!.app.inject({ method: 'POST', url: ingest, payload: seedPayload({ dedup_id: `busy-${i}` }) }),
        ),
      );
      const elapsed = Date.now() - started;
      for (const res of answers) expectIngestUnavailable({ status: res.statusCode, headers: res.headers, body: res.body });
      // One lock wait per item would be 20 × 500 ms.
      expect(elapsed).toBeLessThan(5_000);
      other.exec('ROLLBACK');
    } finally {
      other.close();
    }
  });

  // After a failed fsync nothing says which frames reached the disk (Linux may drop the pages
  // and clear the error), so a later sync, or a redo that finds the rows committed, must not
  // acknowledge them: the store refuses all work until Shipline restarts.
  it('the WAL sync fails (EIO): the deploy, its retry, the API and readiness answer 503 until a restart; the deploy is committed once', async () => {
    t = await startTestApp('sqlite');
    const ingest = await t.endpointPath();
    const eio = Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
    const sync = vi
      .spyOn(fs, 'fdatasync')
      .mockImplementationOnce(((_fd: number, done: (err: NodeJS.ErrnoException | null) => void) => done(eio)) as typeof fs.fdatasync);
    try {
      for (const payload of [seedPayload(), seedPayload(), seedPayload({ dedup_id: undefined })]) {
        const res = await t.app.inject({ method: 'POST', url: ingest, payload });
        expectIngestUnavailable({ status: res.statusCode, headers: res.headers, body: res.body });
      }
      expectApiUnavailable(await t.api({ method: 'GET', url: '/api/v1/deploys' }));
      expectApiUnavailable(await t.app.inject({ method: 'GET', url: '/readyz' }));
      expect(sync).toHaveBeenCalledTimes(1);
    } finally {
      sync.mockRestore();
    }
    // COMMIT returned before the sync failed: the file holds the deploy, once, for the next start.
    const other = new SqliteDatabase(fileOf(t), { readonly: true });
    try {
      expect(other.prepare('SELECT count(*) AS n FROM deploys').get()).toEqual({ n: 1 });
    } finally {
      other.close();
    }
  });

  it('the database cannot grow (SQLITE_FULL): 503 store.unavailable, then 202 once there is room', async () => {
    t = await startTestApp('sqlite');
    const ingest = await t.endpointPath();
    const { rows } = await sql<{ page_count: number }>`PRAGMA page_count`.execute(t.store.db.kysely);
    await sql.raw(`PRAGMA max_page_count = ${rows[0]!.page_count}`).execute(t.store.db.kysely);
    const big = seedPayload({ description: 'x'.repeat(60_000) });
    const res = await t.app.inject({ method: 'POST', url: ingest, payload: big });
    expectIngestUnavailable({ status: res.statusCode, headers: res.headers, body: res.body });
    await sql`PRAGMA max_page_count = 1073741823`.execute(t.store.db.kysely);
    expect((await t.app.inject({ method: 'POST', url: ingest, payload: big })).statusCode).toBe(202);
  });
});
