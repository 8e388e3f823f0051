import { createHmac } from 'node:crypto';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signatureHeaders } from '../src/core/standard-webhooks.js';
import type { TestApp } from './support/app.js';
import { PUBLIC_URL, startTestApp } from './support/app.js';
import { DIALECTS } from './support/databases.js';

interface StoredEvent {
  id: string;
  type: string;
  source: string;
  data: { body: unknown; query: Record<string, unknown>; headers: Record<string, string> };
}

const UA = { 'user-agent': 'sender/1.0' };

/** light-my-request adds its own user-agent otherwise; a fixed one keeps stored headers exact. */
const withUa = (opts: InjectOptions): InjectOptions => ({ method: 'POST', ...opts, headers: { ...UA, ...opts.headers } });

const githubSignature = (secret: string, body: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

describe.each(DIALECTS)('external webhooks on %s', (dialect) => {
  let t: TestApp;
  const credentials: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestApp(dialect);
  });
  afterAll(() => t.close());

  async function events(): Promise<StoredEvent[]> {
    const rows = await t.store.db.kysely
      .selectFrom('events')
      .select(['id', 'type', 'source', 'data'])
      .where('source', 'like', 'webhook:%')
      .orderBy('seq')
      .execute();
    return rows.map((r) => ({ ...r, data: JSON.parse(r.data) as StoredEvent['data'] }));
  }

  /** Delivers to /hooks/<name>; expects a 202 and returns the event it stored. */
  async function deliver(opts: InjectOptions): Promise<StoredEvent> {
    const before = (await events()).length;
    const res = await t.app.inject(withUa(opts));
    expect(res.statusCode, res.body).toBe(202);
    const all = await events();
    expect(all).toHaveLength(before + 1);
    const event = all.at(-1)!;
    expect(res.json()).toEqual({ eventId: event.id, duplicate: false });
    return event;
  }

  /** Delivers and expects 401 `hook.unauthorized` with nothing stored. */
  async function refused(opts: InjectOptions): Promise<void> {
    const before = (await events()).length;
    const res = await t.app.inject(withUa(opts));
    expect(res.statusCode, res.body).toBe(401);
    expect(res.json().error.code).toBe('hook.unauthorized');
    expect(await events()).toHaveLength(before);
  }

  it('creates a webhook of each auth type, showing its credential once', async () => {
    const apiKey = await t.api({ method: 'POST', url: '/api/v1/webhooks', payload: { name: 'ci-key', auth: { type: 'api_key' } } });
    expect(apiKey.statusCode).toBe(201);
    expect(apiKey.json()).toEqual({
      name: 'ci-key',
      url: `${PUBLIC_URL}/hooks/ci-key`,
      auth: { type: 'api_key' },
      createdAt: expect.any(String),
      key: expect.stringMatching(/^shk_[\w-]{43}$/),
    });
    credentials['ci-key'] = apiKey.json().key;

    const github = await t.api({ method: 'POST', url: '/api/v1/webhooks', payload: { name: 'github', auth: { type: 'hmac_sha256' } } });
    expect(github.json()).toMatchObject({
      url: `${PUBLIC_URL}/hooks/github`,
      auth: { type: 'hmac_sha256', header: 'X-Hub-Signature-256' },
      secret: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(github.json().key).toBeUndefined();
    credentials.github = github.json().secret;

    const custom = await t.api({
      method: 'POST',
      url: '/api/v1/webhooks',
      payload: { name: 'custom_sig', auth: { type: 'hmac_sha256', header: 'X-Signature' } },
    });
    expect(custom.json().auth).toEqual({ type: 'hmac_sha256', header: 'X-Signature' });
    credentials.custom_sig = custom.json().secret;

    const standard = await t.api({
      method: 'POST',
      url: '/api/v1/webhooks',
      payload: { name: 'svix', auth: { type: 'standard_webhooks' } },
    });
    expect(standard.json()).toMatchObject({ auth: { type: 'standard_webhooks' }, secret: expect.stringMatching(/^whsec_/) });
    credentials.svix = standard.json().secret;

    const list = await t.api({ method: 'GET', url: '/api/v1/webhooks' });
    expect(list.json().items.map((w: { name: string }) => w.name)).toEqual(['ci-key', 'custom_sig', 'github', 'svix']);
    const one = await t.api({ method: 'GET', url: '/api/v1/webhooks/github' });
    expect(one.json()).toEqual({
      name: 'github',
      url: `${PUBLIC_URL}/hooks/github`,
      auth: { type: 'hmac_sha256', header: 'X-Hub-Signature-256' },
      createdAt: github.json().createdAt,
    });
    for (const body of [list.body, one.body]) for (const secret of Object.values(credentials)) expect(body).not.toContain(secret);

    const rows = JSON.stringify(await t.store.db.kysely.selectFrom('webhooks').selectAll().execute());
    for (const secret of Object.values(credentials)) expect(rows).not.toContain(secret);
  });

  it('refuses duplicate and invalid names and bad auth settings', async () => {
    const dup = await t.api({ method: 'POST', url: '/api/v1/webhooks', payload: { name: 'github', auth: { type: 'api_key' } } });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.code).toBe('webhook.name_conflict');
    for (const payload of [
      { name: 'Upper', auth: { type: 'api_key' } },
      { name: '-dash', auth: { type: 'api_key' } },
      { name: 'a'.repeat(64), auth: { type: 'api_key' } },
      { name: 'ok', auth: { type: 'basic' } },
      { name: 'ok', auth: { type: 'hmac_sha256', header: 'bad header' } },
      { name: 'ok' },
    ]) {
      const res = await t.api({ method: 'POST', url: '/api/v1/webhooks', payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
    }
    expect((await t.api({ method: 'GET', url: '/api/v1/webhooks/nope' })).json().error.code).toBe('webhook.not_found');
    expect((await t.api({ method: 'DELETE', url: '/api/v1/webhooks/nope' })).statusCode).toBe(404);
  });

  it('needs the admin role to manage webhooks', async () => {
    for (const role of ['read', 'write'] as const) {
      expect((await t.api({ method: 'GET', url: '/api/v1/webhooks', role })).statusCode).toBe(403);
      expect(
        (await t.api({ method: 'POST', url: '/api/v1/webhooks', role, payload: { name: 'x', auth: { type: 'api_key' } } })).statusCode,
      ).toBe(403);
    }
  });

  it('accepts an api_key delivery by header, storing a webhook.<name> event with the JSON body, query and allowed headers', async () => {
    const event = await deliver({
      url: '/hooks/ci-key?ref=main&tag=a&tag=b',
      headers: {
        'content-type': 'application/json',
        'x-shipline-key': credentials['ci-key']!,
        'user-agent': 'ci/1.0',
        'x-request-id': 'req-1',
        authorization: 'Bearer should-not-be-stored',
        cookie: 'session=should-not-be-stored',
        'x-other': 'dropped',
      },
      payload: JSON.stringify({ status: 'green', build: 12 }),
    });
    expect(event).toMatchObject({ type: 'webhook.ci-key', source: 'webhook:ci-key' });
    expect(event.data).toEqual({
      body: { status: 'green', build: 12 },
      query: { ref: 'main', tag: ['a', 'b'] },
      headers: { 'content-type': 'application/json', 'user-agent': 'ci/1.0', 'x-request-id': 'req-1' },
    });
  });

  it('accepts the key as a query parameter and does not store it', async () => {
    const key = credentials['ci-key']!;
    const event = await deliver({
      url: `/hooks/ci-key?key=${encodeURIComponent(key)}&env=prod`,
      headers: { 'content-type': 'text/plain' },
      payload: 'plain text body',
    });
    expect(event.data.query).toEqual({ env: 'prod' });
    expect(event.data.body).toBe('plain text body');
    expect(JSON.stringify(event)).not.toContain(key);
  });

  it('refuses api_key deliveries with a wrong or missing key', async () => {
    const key = credentials['ci-key']!;
    await refused({ url: '/hooks/ci-key', payload: '{}', headers: { 'content-type': 'application/json' } });
    await refused({ url: '/hooks/ci-key', headers: { 'x-shipline-key': `${key}x` } });
    await refused({ url: '/hooks/ci-key', headers: { 'x-shipline-key': 'shk_short' } });
    await refused({ url: '/hooks/ci-key?key=wrong' });
    // The key of another webhook is no good either.
    await refused({ url: '/hooks/github', headers: { 'x-shipline-key': key } });
  });

  it('accepts a GitHub-style hmac_sha256 delivery and keeps the signature out of the event', async () => {
    const body = JSON.stringify({ action: 'published', release: { tag_name: 'v1.2.3' } });
    const signature = githubSignature(credentials.github!, body);
    const event = await deliver({
      url: '/hooks/github',
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': signature,
        'x-github-event': 'release',
        'x-github-delivery': 'd-1',
      },
      payload: body,
    });
    expect(event).toMatchObject({ type: 'webhook.github', source: 'webhook:github' });
    expect(event.data.body).toEqual({ action: 'published', release: { tag_name: 'v1.2.3' } });
    expect(event.data.headers).toEqual({
      'content-type': 'application/json',
      ...UA,
      'x-github-event': 'release',
      'x-github-delivery': 'd-1',
    });
    expect(JSON.stringify(event)).not.toContain(signature.slice(7));

    // The exact bytes are signed: a form-encoded body works the same way and is stored as text.
    const form = 'payload=%7B%22a%22%3A1%7D';
    const formEvent = await deliver({
      url: '/hooks/github',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-hub-signature-256': githubSignature(credentials.github!, form) },
      payload: form,
    });
    expect(formEvent.data.body).toBe(form);
  });

  it('uses the configured signature header, and never stores it even when it is allow-listed', async () => {
    const body = 'not json {';
    const event = await deliver({
      url: '/hooks/custom_sig',
      headers: { 'content-type': 'application/json', 'X-Signature': githubSignature(credentials.custom_sig!, body) },
      payload: body,
    });
    expect(event.data.body).toBe('not json {');
    expect(Object.keys(event.data.headers)).toEqual(['content-type', 'user-agent']);
    await refused({
      url: '/hooks/custom_sig',
      headers: { 'x-hub-signature-256': githubSignature(credentials.custom_sig!, body) },
      payload: body,
    });

    const odd = (
      await t.api({
        method: 'POST',
        url: '/api/v1/webhooks',
        payload: { name: 'odd', auth: { type: 'hmac_sha256', header: 'X-Correlation-Id' } },
      })
    ).json();
    const oddEvent = await deliver({
      url: '/hooks/odd',
      headers: { 'x-correlation-id': githubSignature(odd.secret, body) },
      payload: body,
    });
    expect(oddEvent.data.headers).toEqual(UA);
  });

  it('refuses hmac_sha256 deliveries with a wrong, stale or missing signature', async () => {
    const body = JSON.stringify({ action: 'published' });
    const headers = { 'content-type': 'application/json' };
    await refused({ url: '/hooks/github', headers, payload: body });
    await refused({
      url: '/hooks/github',
      headers: { ...headers, 'x-hub-signature-256': githubSignature('wrong-secret', body) },
      payload: body,
    });
    await refused({
      url: '/hooks/github',
      headers: { ...headers, 'x-hub-signature-256': githubSignature(credentials.github!, `${body} `) },
      payload: body,
    });
    await refused({ url: '/hooks/github', headers: { ...headers, 'x-hub-signature-256': 'sha256=' }, payload: body });
    await refused({
      url: '/hooks/github',
      headers: { ...headers, 'x-hub-signature-256': githubSignature(credentials.github!, body).slice(7) },
      payload: body,
    });
  });

  it('accepts a Standard Webhooks delivery and refuses a wrong or missing signature', async () => {
    const body = JSON.stringify({ type: 'invoice.paid', data: { id: 'in_1' } });
    const signed = signatureHeaders(credentials.svix!, 'msg_1', body);
    const event = await deliver({ url: '/hooks/svix', headers: { 'content-type': 'application/json', ...signed }, payload: body });
    expect(event).toMatchObject({ type: 'webhook.svix', source: 'webhook:svix' });
    expect(event.data).toEqual({
      body: { type: 'invoice.paid', data: { id: 'in_1' } },
      query: {},
      headers: { 'content-type': 'application/json', ...UA, 'webhook-id': 'msg_1', 'webhook-timestamp': signed['webhook-timestamp'] },
    });
    expect(JSON.stringify(event)).not.toContain(signed['webhook-signature']!.slice(3));

    await refused({ url: '/hooks/svix', headers: { 'content-type': 'application/json' }, payload: body });
    await refused({
      url: '/hooks/svix',
      headers: { 'content-type': 'application/json', ...signatureHeaders('whsec_d3Jvbmc=', 'msg_2', body) },
      payload: body,
    });
    await refused({ url: '/hooks/svix', headers: { 'content-type': 'application/json', ...signed }, payload: `${body} ` });
    const stale = signatureHeaders(credentials.svix!, 'msg_3', body, new Date(Date.now() - 60 * 60 * 1000));
    await refused({ url: '/hooks/svix', headers: { 'content-type': 'application/json', ...stale }, payload: body });
  });

  it('answers 404 for an unknown or deleted webhook, 413 beyond the body limit, and stores nothing', async () => {
    const before = (await events()).length;
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/hooks/nope',
      payload: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('hook.not_found');

    const tooLarge = await t.app.inject({
      method: 'POST',
      url: '/hooks/ci-key',
      headers: { 'content-type': 'application/octet-stream', 'x-shipline-key': credentials['ci-key']! },
      payload: Buffer.alloc(1024 * 1024 + 1),
    });
    expect(tooLarge.statusCode).toBe(413);

    await t.api({ method: 'POST', url: '/api/v1/webhooks', payload: { name: 'doomed', auth: { type: 'api_key' } } });
    expect((await t.api({ method: 'DELETE', url: '/api/v1/webhooks/doomed' })).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'POST', url: '/hooks/doomed' })).statusCode).toBe(404);
    expect(await events()).toHaveLength(before);
  });

  it('accepts an empty delivery with no content type', async () => {
    const event = await deliver({ url: '/hooks/ci-key', headers: { 'x-shipline-key': credentials['ci-key']! } });
    expect(event.data).toEqual({ body: '', query: {}, headers: UA });
  });

  it('keeps the raw-body parsers to /hooks: other routes still refuse non-JSON with 415', async () => {
    const res = await t.api({ method: 'POST', url: '/api/v1/services', headers: { 'content-type': 'text/plain' }, payload: 'name=x' });
    expect(res.statusCode).toBe(415);
    expect(res.json().error.code).toBe('request.unsupported_media_type');
    const json = await t.api({ method: 'POST', url: '/api/v1/services', payload: { name: 'still-json' } });
    expect(json.statusCode).toBe(201);
  });
});
