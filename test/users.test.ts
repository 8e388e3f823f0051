import { Writable } from 'node:stream';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { pino } from 'pino';
import type * as argon2 from '@node-rs/argon2';
import { verify } from '@node-rs/argon2';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Role } from '../src/core/vocabulary.js';
import { buildApp } from '../src/server/app.js';
import { openStore } from '../src/store/index.js';
import type { Store } from '../src/store/index.js';
import { hashSessionId } from '../src/store/users.js';
import { seedPayload } from './support/app.js';
import type { TestDatabase } from './support/databases.js';
import { DIALECTS, freshDatabase } from './support/databases.js';
import { TEST_MASTER_KEY } from './support/runtime.js';

// The real argon2, watched: the sign-in test counts its runs instead of timing them.
vi.mock('@node-rs/argon2', async (importOriginal) => {
  const original = await importOriginal<typeof argon2>();
  return { ...original, verify: vi.fn(original.verify) };
});

const PASSWORDS: Record<Role, string> = {
  read: 'read-user-passphrase-1',
  write: 'write-user-passphrase-2',
  admin: 'admin-user-passphrase-3',
};
const EMAILS: Record<Role, string> = { read: 'reader@example.com', write: 'writer@example.com', admin: 'admin@example.com' };

interface SignedIn {
  cookie: string;
  csrfToken: string;
  setCookie: string;
}

describe.each(DIALECTS)('users and sign-in on %s', (dialect) => {
  let database: TestDatabase;
  let store: Store;
  let app: FastifyInstance;
  let adminToken: string;
  const logs: string[] = [];
  // Every answer of the suite, to check no password or hash ever comes back.
  const responses: LightMyRequestResponse[] = [];

  beforeAll(async () => {
    database = await freshDatabase(dialect);
    store = openStore({ ...database.options, masterKey: TEST_MASTER_KEY });
    await store.migrate();
    const logger = pino(
      { level: 'debug' },
      new Writable({
        write(chunk: Buffer, _enc, done) {
          logs.push(chunk.toString('utf8'));
          done();
        },
      }),
    );
    app = await buildApp({ store, config: { publicUrl: 'http://shipline.test', bodyLimit: 1024 * 1024 }, logger });
    adminToken = (await store.tokens.create('test admin', 'admin')).token;
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
    await database?.drop();
  });

  const inject = async (opts: InjectOptions) => {
    const res = await app.inject(opts);
    responses.push(res);
    return res;
  };
  const admin = (opts: InjectOptions) => inject({ ...opts, headers: { authorization: `Bearer ${adminToken}`, ...opts.headers } });
  const signIn = (email: string, password: string, remoteAddress = '127.0.0.1') =>
    inject({ method: 'POST', url: '/auth/session', payload: { email, password }, remoteAddress });
  async function session(email: string, password: string): Promise<SignedIn> {
    const res = await signIn(email, password);
    expect(res.statusCode, res.body).toBe(200);
    const setCookie = String(res.headers['set-cookie']);
    return { cookie: setCookie.split(';')[0]!, csrfToken: res.json().csrfToken, setCookie };
  }
  const withCookie = (s: SignedIn, opts: InjectOptions) => inject({ ...opts, headers: { cookie: s.cookie, ...opts.headers } });

  it('creates users through the API, normalising emails, and refuses duplicates and short passwords', async () => {
    for (const role of ['read', 'write', 'admin'] as const) {
      const created = await admin({
        method: 'POST',
        url: '/api/v1/users',
        payload: { email: `  ${EMAILS[role].toUpperCase()} `, name: `The ${role}r`, role, password: PASSWORDS[role] },
      });
      expect(created.statusCode, created.body).toBe(201);
      expect(created.json()).toEqual({
        email: EMAILS[role],
        name: `The ${role}r`,
        role,
        disabled: false,
        disabledAt: null,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
    }
    const duplicate = await admin({
      method: 'POST',
      url: '/api/v1/users',
      payload: { email: 'Reader@Example.com', name: 'Again', role: 'read', password: 'another-long-password' },
    });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json().error.code).toBe('user.email_conflict');

    const short = await admin({
      method: 'POST',
      url: '/api/v1/users',
      payload: { email: 'short@example.com', name: 'Short', role: 'read', password: 'elevenchars' },
    });
    expect(short.statusCode).toBe(400);
    expect(short.json().error.code).toBe('user.invalid');
    expect((await admin({ method: 'GET', url: '/api/v1/users/short@example.com' })).statusCode).toBe(404);

    const list = await admin({ method: 'GET', url: '/api/v1/users' });
    expect(list.json().items.map((u: { email: string }) => u.email)).toEqual([EMAILS.admin, EMAILS.read, EMAILS.write]);
  });

  it('is for admins only, also for signed-in users', async () => {
    const reader = await session(EMAILS.read, PASSWORDS.read);
    const res = await withCookie(reader, { method: 'GET', url: '/api/v1/users' });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('auth.role_too_low');
  });

  it('stores argon2id hashes, never the password', async () => {
    const rows = await store.db.kysely.selectFrom('users').select(['email', 'password_hash']).execute();
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const sessions = await store.db.kysely.selectFrom('user_sessions').selectAll().execute();
    const dump = JSON.stringify([rows, sessions]);
    for (const password of Object.values(PASSWORDS)) expect(dump).not.toContain(password);
  });

  it('signs in with a session cookie (HttpOnly, SameSite=Lax, not Secure over http) and shows the session', async () => {
    const writer = await session(' Writer@Example.com', PASSWORDS.write);
    const attributes = writer.setCookie.split(';').map((a) => a.trim());
    expect(attributes[0]).toMatch(/^shipline_session=[A-Za-z0-9_-]{43}$/);
    expect(attributes).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Lax', 'Path=/']));
    expect(attributes).not.toContain('Secure');
    expect(writer.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const current = await withCookie(writer, { method: 'GET', url: '/auth/session' });
    expect(current.statusCode).toBe(200);
    expect(current.json()).toEqual({
      user: { email: EMAILS.write, name: 'The writer', role: 'write' },
      csrfToken: writer.csrfToken,
      expiresAt: expect.any(String),
    });
    // The store keeps only a hash of the session id.
    const id = writer.cookie.split('=')[1]!;
    expect(JSON.stringify(await store.db.kysely.selectFrom('user_sessions').selectAll().execute())).not.toContain(id);

    expect((await inject({ method: 'GET', url: '/auth/session' })).statusCode).toBe(401);
    const forged = await inject({ method: 'GET', url: '/auth/session', headers: { cookie: 'shipline_session=not-a-session' } });
    expect(forged.statusCode).toBe(401);
    expect(forged.json().error.code).toBe('auth.session_invalid');
    // Asked with optional=true (the web UI on each page load), signed out is a 204, not an error.
    for (const headers of [{}, { cookie: 'shipline_session=not-a-session' }]) {
      const optional = await inject({ method: 'GET', url: '/auth/session?optional=true', headers });
      expect(optional.statusCode).toBe(204);
      expect(optional.body).toBe('');
    }
    expect((await withCookie(writer, { method: 'GET', url: '/auth/session?optional=true' })).json()).toEqual(current.json());
  });

  it("authenticates the API with the cookie, limited by the user's role", async () => {
    const reader = await session(EMAILS.read, PASSWORDS.read);
    expect((await withCookie(reader, { method: 'GET', url: '/api/v1/services' })).statusCode).toBe(200);
    const denied = await withCookie(reader, {
      method: 'POST',
      url: '/api/v1/services',
      payload: { name: 'by-reader' },
      headers: { 'x-csrf-token': reader.csrfToken },
    });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.code).toBe('auth.role_too_low');
    expect(denied.json().error.message).toContain("the user has role 'read'");
  });

  it("requires the session's CSRF token on changes made with the cookie; bearer tokens need none", async () => {
    const writer = await session(EMAILS.write, PASSWORDS.write);
    const other = await session(EMAILS.admin, PASSWORDS.admin);
    const create = (name: string, headers: Record<string, string>) =>
      withCookie(writer, { method: 'POST', url: '/api/v1/services', payload: { name }, headers });

    const missing = await create('no-csrf', {});
    expect(missing.statusCode).toBe(403);
    expect(missing.json().error.code).toBe('auth.csrf');
    const wrong = await create('wrong-csrf', { 'x-csrf-token': other.csrfToken });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json().error.code).toBe('auth.csrf');
    const names = (await admin({ method: 'GET', url: '/api/v1/services' })).json().items.map((s: { name: string }) => s.name);
    expect(names).not.toContain('no-csrf');
    expect(names).not.toContain('wrong-csrf');

    const ok = await create('with-csrf', { 'x-csrf-token': writer.csrfToken });
    expect(ok.statusCode, ok.body).toBe(201);
    const byToken = await admin({ method: 'POST', url: '/api/v1/services', payload: { name: 'by-token' } });
    expect(byToken.statusCode).toBe(201);
  });

  it('signs out: the session row is deleted, the cookie cleared, and the cookie stops working', async () => {
    const writer = await session(EMAILS.write, PASSWORDS.write);
    const before = await store.db.kysely.selectFrom('user_sessions').select('id_hash').execute();
    expect((await withCookie(writer, { method: 'DELETE', url: '/auth/session' })).statusCode).toBe(403);
    const out = await withCookie(writer, { method: 'DELETE', url: '/auth/session', headers: { 'x-csrf-token': writer.csrfToken } });
    expect(out.statusCode).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(/^shipline_session=; .*Max-Age=0/);
    expect(await store.db.kysely.selectFrom('user_sessions').select('id_hash').execute()).toHaveLength(before.length - 1);
    expect((await withCookie(writer, { method: 'GET', url: '/auth/session' })).statusCode).toBe(401);
    const api = await withCookie(writer, { method: 'GET', url: '/api/v1/services' });
    expect(api.statusCode).toBe(401);
    expect(api.json().error.code).toBe('auth.session_invalid');
  });

  it('ends a session after 12 h without a request, and 7 days after sign-in however active', async () => {
    const idle = await session(EMAILS.admin, PASSWORDS.admin);
    const active = await session(EMAILS.admin, PASSWORDS.admin);
    const hours = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
    const hashOf = (s: SignedIn) => hashSessionId(s.cookie.split('=')[1]!);
    await store.db.kysely
      .updateTable('user_sessions')
      .set({ last_seen_at: hours(12.1) })
      .where('id_hash', '=', hashOf(idle))
      .execute();
    await store.db.kysely
      .updateTable('user_sessions')
      .set({ last_seen_at: hours(0.5), expires_at: hours(0.01) })
      .where('id_hash', '=', hashOf(active))
      .execute();
    for (const s of [idle, active]) {
      const res = await withCookie(s, { method: 'GET', url: '/api/v1/services' });
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('auth.session_invalid');
      expect(await store.db.kysely.selectFrom('user_sessions').select('id_hash').where('id_hash', '=', hashOf(s)).execute()).toEqual([]);
    }
  });

  it('answers an unknown email and a wrong password alike', async () => {
    const unknown = await signIn('nobody@example.com', 'whatever-password', '10.0.0.1');
    const wrong = await signIn(EMAILS.read, 'wrong-password-here', '10.0.0.1');
    expect(unknown.statusCode).toBe(401);
    expect(wrong.statusCode).toBe(401);
    expect(unknown.json()).toEqual(wrong.json());
    expect(wrong.json().error.code).toBe('auth.sign_in_failed');
    expect(unknown.headers['set-cookie']).toBeUndefined();
  });

  it('spends an argon2 run on an unknown email too, so timing does not tell which emails exist', async () => {
    // Counted, not timed: a sign-in with an unknown email verifies against a real argon2 hash
    // exactly as one with a wrong password does.
    const runs = () => vi.mocked(verify).mock.calls.length;
    const before = runs();
    expect((await signIn('no-such-user@example.com', 'not-the-password', '10.5.0.1')).statusCode).toBe(401);
    expect(runs() - before).toBe(1);
    expect(vi.mocked(verify).mock.calls.at(-1)![0]).toMatch(/^\$argon2id\$/);
    const known = runs();
    expect((await signIn(EMAILS.admin, 'not-the-password', '10.5.0.2')).statusCode).toBe(401);
    expect(runs() - known).toBe(1);
  });

  it('limits failed sign-ins per email, with Retry-After, even for the right password', async () => {
    await admin({
      method: 'POST',
      url: '/api/v1/users',
      payload: { email: 'target@example.com', name: 'Target', role: 'read', password: 'target-passphrase-9' },
    });
    for (let i = 0; i < 5; i++) {
      // Different addresses: this is the per-email limit.
      expect((await signIn('target@example.com', `wrong-${i}-password`, `10.1.0.${i}`)).statusCode).toBe(401);
    }
    const limited = await signIn('TARGET@example.com', 'target-passphrase-9', '10.1.0.99');
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('auth.rate_limited');
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    // Other accounts are not locked out by it.
    expect((await signIn(EMAILS.read, PASSWORDS.read, '10.1.0.99')).statusCode).toBe(200);
  });

  it('counts concurrent guesses before checking them, so a burst cannot pass the limit', async () => {
    const burst = await Promise.all(Array.from({ length: 8 }, (_, i) => signIn('burst@example.com', `guess-${i}-password`, `10.6.0.${i}`)));
    expect(burst.map((r) => r.statusCode).sort()).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
  });

  it('limits failed sign-ins per client address', async () => {
    for (let i = 0; i < 20; i++) expect((await signIn(`guess-${i}@example.com`, 'guessed-password', '10.2.0.1')).statusCode).toBe(401);
    const limited = await signIn(EMAILS.read, PASSWORDS.read, '10.2.0.1');
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await signIn(EMAILS.read, PASSWORDS.read, '10.2.0.2')).statusCode).toBe(200);
  });

  it('disabling a user refuses their sign-in and ends their sessions at once; re-enabling does not revive them', async () => {
    const reader = await session(EMAILS.read, PASSWORDS.read);
    expect((await withCookie(reader, { method: 'GET', url: '/api/v1/services' })).statusCode).toBe(200);
    const disabled = await admin({
      method: 'PATCH',
      url: `/api/v1/users/${encodeURIComponent('Reader@example.com')}`,
      payload: { disabled: true },
    });
    expect(disabled.statusCode).toBe(200);
    expect(disabled.json()).toMatchObject({ email: EMAILS.read, disabled: true, disabledAt: expect.any(String) });

    expect((await withCookie(reader, { method: 'GET', url: '/api/v1/services' })).statusCode).toBe(401);
    const refused = await signIn(EMAILS.read, PASSWORDS.read, '10.3.0.1');
    expect(refused.statusCode).toBe(401);
    expect(refused.json().error.code).toBe('auth.sign_in_failed');

    await admin({ method: 'PATCH', url: `/api/v1/users/${EMAILS.read}`, payload: { disabled: false } });
    expect((await withCookie(reader, { method: 'GET', url: '/api/v1/services' })).statusCode).toBe(401);
    expect((await signIn(EMAILS.read, PASSWORDS.read, '10.3.0.1')).statusCode).toBe(200);
  });

  it('changes a role with effect on live sessions, and resets a password, ending sessions', async () => {
    const writer = await session(EMAILS.write, PASSWORDS.write);
    const patched = await admin({ method: 'PATCH', url: `/api/v1/users/${EMAILS.write}`, payload: { role: 'read', name: 'Demoted' } });
    expect(patched.json()).toMatchObject({ role: 'read', name: 'Demoted' });
    const denied = await withCookie(writer, {
      method: 'POST',
      url: '/api/v1/services',
      payload: { name: 'after-demotion' },
      headers: { 'x-csrf-token': writer.csrfToken },
    });
    expect(denied.statusCode).toBe(403);

    const reset = await admin({
      method: 'POST',
      url: `/api/v1/users/${EMAILS.write}/password`,
      payload: { password: 'a-brand-new-passphrase' },
    });
    expect(reset.statusCode).toBe(200);
    expect((await withCookie(writer, { method: 'GET', url: '/auth/session' })).statusCode).toBe(401);
    expect((await signIn(EMAILS.write, PASSWORDS.write, '10.4.0.1')).statusCode).toBe(401);
    expect((await signIn(EMAILS.write, 'a-brand-new-passphrase', '10.4.0.1')).statusCode).toBe(200);
    expect(
      (await admin({ method: 'POST', url: '/api/v1/users/nobody@example.com/password', payload: { password: 'a-brand-new-passphrase' } }))
        .statusCode,
    ).toBe(404);
    expect((await admin({ method: 'PATCH', url: '/api/v1/users/nobody@example.com', payload: { name: 'x' } })).statusCode).toBe(404);
  });

  it('lets a signed-in user change their own password, with the CSRF token and the current password, ending their other sessions', async () => {
    const email = 'changer@example.com';
    const original = 'changer-passphrase-1';
    expect(
      (await admin({ method: 'POST', url: '/api/v1/users', payload: { email, name: 'Changer', role: 'read', password: original } }))
        .statusCode,
    ).toBe(201);
    const here = await session(email, original);
    const elsewhere = await session(email, original);
    const change = (
      s: SignedIn | undefined,
      body: Record<string, unknown>,
      headers: Record<string, string> = s ? { 'x-csrf-token': s.csrfToken } : {},
    ) => inject({ method: 'POST', url: '/auth/password', payload: body, headers: { ...(s ? { cookie: s.cookie } : {}), ...headers } });

    const anonymous = await change(undefined, { currentPassword: original, newPassword: 'changed-passphrase-2' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().error.code).toBe('auth.session_invalid');
    const byToken = await inject({
      method: 'POST',
      url: '/auth/password',
      payload: { currentPassword: original, newPassword: 'changed-passphrase-2' },
      headers: { authorization: `Bearer ${adminToken}` },
    });
    expect(byToken.statusCode).toBe(401);
    const noCsrf = await change(here, { currentPassword: original, newPassword: 'changed-passphrase-2' }, {});
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.json().error.code).toBe('auth.csrf');
    const foreignCsrf = await change(
      here,
      { currentPassword: original, newPassword: 'changed-passphrase-2' },
      { 'x-csrf-token': elsewhere.csrfToken },
    );
    expect(foreignCsrf.json().error.code).toBe('auth.csrf');
    const wrong = await change(here, { currentPassword: 'not-the-passphrase', newPassword: 'changed-passphrase-2' });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('auth.sign_in_failed');
    const short = await change(here, { currentPassword: original, newPassword: 'elevenchars' });
    expect(short.statusCode).toBe(400);
    expect(short.json().error.code).toBe('user.invalid');
    expect((await change(here, { currentPassword: original })).statusCode).toBe(400);
    // Nothing so far changed anything: both sessions live, the old password works.
    for (const s of [here, elsewhere]) expect((await withCookie(s, { method: 'GET', url: '/auth/session' })).statusCode).toBe(200);

    const changed = await change(here, { currentPassword: original, newPassword: 'changed-passphrase-2' });
    expect(changed.statusCode, changed.body).toBe(204);
    expect((await withCookie(here, { method: 'GET', url: '/api/v1/services' })).statusCode).toBe(200);
    expect((await withCookie(elsewhere, { method: 'GET', url: '/auth/session' })).statusCode).toBe(401);
    expect((await signIn(email, original, '10.7.0.1')).statusCode).toBe(401);
    expect((await signIn(email, 'changed-passphrase-2', '10.7.0.1')).statusCode).toBe(200);
  });

  it('counts wrong current passwords like failed sign-ins', async () => {
    const email = 'guessed@example.com';
    await admin({
      method: 'POST',
      url: '/api/v1/users',
      payload: { email, name: 'Guessed', role: 'read', password: 'guessed-passphrase-1' },
    });
    const stolen = await session(email, 'guessed-passphrase-1');
    for (let i = 0; i < 5; i++) {
      const res = await withCookie(stolen, {
        method: 'POST',
        url: '/auth/password',
        payload: { currentPassword: `guess-${i}-password`, newPassword: 'taken-over-passphrase' },
        headers: { 'x-csrf-token': stolen.csrfToken },
        remoteAddress: `10.8.0.${i}`,
      });
      expect(res.statusCode).toBe(401);
    }
    const limited = await withCookie(stolen, {
      method: 'POST',
      url: '/auth/password',
      payload: { currentPassword: 'guessed-passphrase-1', newPassword: 'taken-over-passphrase' },
      headers: { 'x-csrf-token': stolen.csrfToken },
      remoteAddress: '10.8.0.99',
    });
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('auth.rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it("believes X-Forwarded-* only from trusted proxies (SHIPLINE_TRUST_PROXY): the cookie's Secure flag and the per-address limit", async () => {
    const https = { 'x-forwarded-proto': 'https' };
    // Untrusted (the default): a client cannot claim HTTPS or another address.
    const direct = await inject({
      method: 'POST',
      url: '/auth/session',
      payload: { email: EMAILS.admin, password: PASSWORDS.admin },
      headers: https,
      remoteAddress: '10.9.0.1',
    });
    expect(direct.statusCode).toBe(200);
    expect(
      String(direct.headers['set-cookie'])
        .split(';')
        .map((a) => a.trim()),
    ).not.toContain('Secure');

    const proxied = await buildApp({
      store,
      config: { publicUrl: 'http://shipline.test', bodyLimit: 1024 * 1024, trustProxy: ['10.9.0.0/24'] },
    });
    const hopped = await buildApp({ store, config: { publicUrl: 'http://shipline.test', bodyLimit: 1024 * 1024, trustProxy: 1 } });
    try {
      const signInVia = (target: FastifyInstance, remoteAddress: string, headers: Record<string, string>, password = PASSWORDS.admin) =>
        target.inject({ method: 'POST', url: '/auth/session', payload: { email: EMAILS.admin, password }, headers, remoteAddress });
      const secure = (res: LightMyRequestResponse) =>
        String(res.headers['set-cookie'])
          .split(';')
          .map((a) => a.trim())
          .includes('Secure');
      expect(secure(await signInVia(proxied, '10.9.0.5', https))).toBe(true);
      expect(secure(await signInVia(proxied, '10.10.0.5', https))).toBe(false);
      expect(secure(await signInVia(proxied, '10.10.0.5', {}))).toBe(false);
      expect(secure(await signInVia(hopped, '10.10.0.5', https))).toBe(true);

      // Behind the proxy each client is counted on its own address, not the proxy's.
      for (let i = 0; i < 20; i++) {
        const res = await proxied.inject({
          method: 'POST',
          url: '/auth/session',
          payload: { email: `nobody-${i}@example.com`, password: 'guessed-password' },
          headers: { 'x-forwarded-for': '203.0.113.7' },
          remoteAddress: '10.9.0.5',
        });
        expect(res.statusCode).toBe(401);
      }
      expect((await signInVia(proxied, '10.9.0.5', { 'x-forwarded-for': '203.0.113.7' })).statusCode).toBe(429);
      expect((await signInVia(proxied, '10.9.0.5', { 'x-forwarded-for': '203.0.113.8' })).statusCode).toBe(200);
      // From an untrusted peer the header is ignored: that peer is the client.
      expect((await signInVia(proxied, '10.10.0.6', { 'x-forwarded-for': '203.0.113.7' })).statusCode).toBe(200);
    } finally {
      await proxied.close();
      await hopped.close();
    }
  });

  it('links deployers to users by email in the deploy list and a single deploy', async () => {
    const endpoint = await admin({ method: 'POST', url: '/api/v1/deploy-endpoints', payload: { name: 'ci' } });
    const path = new URL(endpoint.json().url).pathname;
    const post = (deployer: Record<string, unknown>, dedup: string) =>
      app.inject({ method: 'POST', url: path, payload: seedPayload({ dedup_id: dedup, deployer }) });
    expect((await post({ email: ' ADMIN@example.com', name: 'Admin in CI' }, 'd-1')).statusCode).toBe(202);
    expect((await post({ email: 'stranger@example.com', name: 'Stranger' }, 'd-2')).statusCode).toBe(202);
    expect((await post({ name: 'No email' }, 'd-3')).statusCode).toBe(202);

    const list = (await admin({ method: 'GET', url: '/api/v1/deploys' })).json();
    const byDedup = new Map(list.items.map((d: { dedupId: string; deployer: unknown }) => [d.dedupId, d.deployer]));
    // The ingest trims; the link also ignores case.
    expect(byDedup.get('d-1')).toMatchObject({ email: 'ADMIN@example.com', user: { email: EMAILS.admin, name: 'The adminr' } });
    expect(byDedup.get('d-2')).toMatchObject({ user: null });
    expect(byDedup.get('d-3')).toMatchObject({ email: null, user: null });
    // A single deploy carries the same link as the list.
    for (const listed of list.items as Array<{ id: string; dedupId: string; deployer: unknown }>) {
      if (!['d-1', 'd-2', 'd-3'].includes(listed.dedupId)) continue;
      const one = (await admin({ method: 'GET', url: `/api/v1/deploys/${listed.id}` })).json();
      expect(one.deployer, listed.dedupId).toEqual(listed.deployer);
    }
    const one = (
      await admin({ method: 'GET', url: `/api/v1/deploys/${list.items.find((d: { dedupId: string }) => d.dedupId === 'd-1').id}` })
    ).json();
    expect(one.deployer.user).toEqual({ email: EMAILS.admin, name: 'The adminr' });
    // Its deploy.recorded event stays as the deploy was recorded: no live link.
    const events = (await admin({ method: 'GET', url: '/api/v1/events?type=deploy.recorded' })).json().items as Array<{
      data: { id: string; deployer: unknown };
    }>;
    expect(events.find((e) => e.data.id === one.id)?.data.deployer).not.toHaveProperty('user');
  });

  it('never puts a password or its hash in a response or a log line', async () => {
    const hashes = (await store.db.kysely.selectFrom('users').select('password_hash').execute()).map((r) => r.password_hash);
    const secrets = [
      ...Object.values(PASSWORDS),
      'a-brand-new-passphrase',
      'target-passphrase-9',
      'changer-passphrase-1',
      'changed-passphrase-2',
      'guessed-passphrase-1',
      'taken-over-passphrase',
      ...hashes,
    ];
    expect(responses.length).toBeGreaterThan(40);
    expect(logs.length).toBeGreaterThan(40);
    const said = [...responses.map((r) => r.body), ...logs].join('\n');
    for (const secret of secrets) expect(said).not.toContain(secret);
    expect(said).not.toContain('$argon2');
  });
});
