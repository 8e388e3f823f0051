import type { FastifyInstance, InjectOptions } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../src/server/app.js';
import { SETUP_LIMITS } from '../src/server/routes/setup.js';
import { SetupCode } from '../src/server/setup-code.js';
import { openStore } from '../src/store/index.js';
import type { Store } from '../src/store/index.js';
import type { TestDatabase } from './support/databases.js';
import { DIALECTS, freshDatabase } from './support/databases.js';
import { TEST_MASTER_KEY } from './support/runtime.js';

// The first-run setup page's API: a fresh Shipline lets the holder of the printed setup code
// create the first admin, once, and nothing else.

const PASSWORD = 'first-admin-passphrase';
const CONFIG = { publicUrl: 'http://shipline.test', bodyLimit: 1024 * 1024 };

interface Instance {
  store: Store;
  app: FastifyInstance;
  code: string;
}

/** One Shipline process as main.ts wires it: a store, an app, and the setup code it printed. */
async function instance(database: TestDatabase): Promise<Instance> {
  const store = openStore({ ...database.options, masterKey: TEST_MASTER_KEY });
  await store.migrate();
  const setupCode = new SetupCode();
  const app = await buildApp({ store, config: CONFIG, setupCode });
  return { store, app, code: setupCode.issue() };
}

const setUp = (app: FastifyInstance, payload: Record<string, unknown>, remoteAddress = '127.0.0.1') =>
  app.inject({ method: 'POST', url: '/auth/setup', payload, remoteAddress } satisfies InjectOptions);

const admin = (code: string, email = 'root@example.com') => ({ code, email, name: 'First Admin', password: PASSWORD });

const userCount = async (store: Store) => (await store.users.list()).length;

describe.each(DIALECTS)('first-run setup on %s', (dialect) => {
  let database: TestDatabase;
  let one: Instance;

  beforeAll(async () => {
    database = await freshDatabase(dialect);
    one = await instance(database);
  });
  afterAll(async () => {
    await one?.app.close();
    await one?.store.close();
    await database?.drop();
  });

  it('issues codes of 100 random bits, in groups a person can copy', () => {
    const codes = new Set(Array.from({ length: 50 }, () => new SetupCode().issue()));
    expect(codes.size).toBe(50);
    for (const code of codes) expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){4}$/);
  });

  it('refuses bad input and a wrong code, creating nothing', async () => {
    expect((await one.app.inject({ method: 'GET', url: '/auth/setup' })).json()).toEqual({ needed: true });

    const wrong = await setUp(one.app, admin('AAAA-BBBB-CCCC-DDDD-EEEE'), '10.0.0.1');
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json().error.code).toBe('setup.code_invalid');

    const short = await setUp(one.app, { ...admin(one.code), password: 'elevenchars' });
    expect(short.statusCode).toBe(400);
    expect(short.json().error.code).toBe('user.invalid');
    const badEmail = await setUp(one.app, { ...admin(one.code), email: 'no-at-sign' });
    expect(badEmail.statusCode).toBe(400);
    const extra = await setUp(one.app, { ...admin(one.code), role: 'read' });
    expect(extra.statusCode).toBe(400);
    expect(extra.json().error.code).toBe('request.invalid');
    const missing = await setUp(one.app, { code: one.code });
    expect(missing.statusCode).toBe(400);

    expect(await userCount(one.store)).toBe(0);
  });

  it('limits wrong codes per client address, then refuses even the right one', async () => {
    const address = '10.0.0.2';
    for (let i = 0; i < SETUP_LIMITS.perIp; i++) {
      expect((await setUp(one.app, admin(`WRONG-${i}`), address)).statusCode).toBe(403);
    }
    const limited = await setUp(one.app, admin(one.code), address);
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('setup.rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(await userCount(one.store)).toBe(0);
  });

  it('creates the first admin with the right code (any case, any spacing) and signs them in', async () => {
    const typed = one.code.toLowerCase().replaceAll('-', ' ');
    const res = await setUp(one.app, admin(` ${typed} `, ' Root@Example.com '));
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ user: { email: 'root@example.com', name: 'First Admin', role: 'admin' } });
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/^shipline_session=[^;]+; Path=\/; HttpOnly; SameSite=Lax/);

    const session = await one.app.inject({ method: 'GET', url: '/auth/session', headers: { cookie: cookie.split(';')[0]! } });
    expect(session.json().user).toEqual({ email: 'root@example.com', name: 'First Admin', role: 'admin' });
    expect(await one.store.users.verify('root@example.com', PASSWORD)).toMatchObject({ role: 'admin' });
    expect((await one.app.inject({ method: 'GET', url: '/auth/setup' })).json()).toEqual({ needed: false });
  });

  it('refuses once an account exists, the used code included, changing nothing', async () => {
    const again = await setUp(one.app, admin(one.code, 'second@example.com'));
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('setup.done');
    expect(again.headers['set-cookie']).toBeUndefined();
    expect((await one.store.users.list()).map((u) => u.email)).toEqual(['root@example.com']);
  });
});

describe.each(DIALECTS)('racing first-run setups on %s', (dialect) => {
  let database: TestDatabase;
  const instances: Instance[] = [];

  beforeAll(async () => {
    database = await freshDatabase(dialect);
    // PostgreSQL: two Shipline processes share the database, each with its own code. SQLite has
    // one process per data directory, so its race is between requests to that one.
    instances.push(await instance(database));
    if (dialect === 'postgres') instances.push(await instance(database));
  });
  afterAll(async () => {
    for (const { app, store } of instances) {
      await app.close();
      await store.close();
    }
    await database?.drop();
  });

  it('creates one admin however many setups race, and refuses the others', async () => {
    const attempts = Array.from({ length: 8 }, (_, i) => instances[i % instances.length]!).map((target, i) =>
      setUp(target.app, admin(target.code, `racer-${i}@example.com`), `10.1.0.${i}`),
    );
    const answers = await Promise.all(attempts);
    const statuses = answers.map((a) => a.statusCode).sort();
    expect(statuses, answers.map((a) => a.body).join('\n')).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    for (const refused of answers.filter((a) => a.statusCode === 409)) expect(refused.json().error.code).toBe('setup.done');
    const users = await instances[0]!.store.users.list();
    expect(users).toHaveLength(1);
    expect(users[0]!.role).toBe('admin');
  });

  // The interleaving the race above can take: this setup found no account, then another setup on
  // the same process created one and retired the code before this one compared it. The account is
  // the answer (409), not the code (403). The first check's answer is replayed; the rest is real.
  it('answers setup.done to a setup whose code was retired by one that finished after its check', async () => {
    const [target] = instances;
    const any = vi.spyOn(target!.store.users, 'any').mockResolvedValueOnce(false);
    try {
      const late = await setUp(target!.app, admin(target!.code, 'late@example.com'), '10.1.1.1');
      expect(late.statusCode, late.body).toBe(409);
      expect(late.json().error.code).toBe('setup.done');
      expect(any).toHaveBeenCalledTimes(2);
    } finally {
      any.mockRestore();
    }
    expect((await target!.store.users.list()).map((u) => u.email)).not.toContain('late@example.com');
  });

  if (dialect === 'postgres') {
    it('waits for a setup still in its transaction, then refuses, on PostgreSQL', async () => {
      // Another instance's setup, caught between its insert and its commit: a plain check would
      // see no account yet and add a second admin. The lock makes this one wait for that commit.
      const fresh = await freshDatabase(dialect);
      const store = openStore({ ...fresh.options, masterKey: TEST_MASTER_KEY });
      await store.migrate();
      const other = new pg.Client({ connectionString: fresh.options.databaseUrl });
      await other.connect();
      try {
        await other.query('BEGIN');
        await other.query(
          "INSERT INTO users (email, name, role, password_hash, created_at, updated_at) VALUES ('other@example.com', 'Other', 'admin', 'x', now()::text, now()::text)",
        );
        const pending = store.users.createFirst({ email: 'late@example.com', name: 'Late', password: PASSWORD });
        let settled = false;
        void pending.then(
          () => (settled = true),
          () => (settled = true),
        );
        // Until the setup either finished (the bug) or waits for the other transaction's lock.
        const waiting = async () =>
          Number((await other.query("SELECT count(*) AS n FROM pg_locks WHERE NOT granted AND locktype = 'relation'")).rows[0].n) > 0;
        const deadline = Date.now() + 10_000;
        while (!settled && !(await waiting())) {
          if (Date.now() > deadline) throw new Error('the setup neither finished nor waited for the lock');
          await new Promise((resolve) => setImmediate(resolve));
        }
        await other.query('COMMIT');
        expect(await pending).toBeUndefined();
        expect((await store.users.list()).map((u) => u.email)).toEqual(['other@example.com']);
      } finally {
        await other.end();
        await store.close();
        await fresh.drop();
      }
    });
  }
});
