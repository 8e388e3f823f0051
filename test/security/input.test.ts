import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ERRORS } from '../../src/core/errors.js';
import { classifyAddress } from '../../src/actions/http/ssrf.js';
import type { TestApp } from '../support/app.js';
import { seedPayload, startTestApp } from '../support/app.js';
import { DIALECTS } from '../support/databases.js';
import { rowCounts } from '../support/row-counts.js';
import { startEngineApp } from '../support/runtime.js';
import type { EngineTestApp } from '../support/runtime.js';

/**
 * Input that is refused is refused with a clear 400 (or Fastify's 414/431) in Shipline's error
 * format (OpsLevel's on the deploy webhook), the same on both stores, and nothing is stored.
 */

function deepJson(levels: number): string {
  return `${'['.repeat(levels)}1${']'.repeat(levels)}`;
}

function expectShiplineError(res: { statusCode: number; body: string }, status: number, code: keyof typeof ERRORS): void {
  expect(res.statusCode, res.body).toBe(status);
  expect(JSON.parse(res.body)).toMatchObject({ error: { code, status, message: expect.any(String) } });
}

function expectOpsLevelError(res: { statusCode: number; body: string }, status: number): void {
  expect(res.statusCode, res.body).toBe(status);
  expect(JSON.parse(res.body)).toEqual({ errors: [{ status, title: expect.stringMatching(/ Error$/), detail: expect.any(String) }] });
}

/** Sends raw bytes to a listening server and returns what it answered. */
function rawHttp(port: number, request: string): Promise<{ statusCode: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('utf8')));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', body = ''] = answer.split('\r\n\r\n');
      resolve({ statusCode: Number(/^HTTP\/1\.1 (\d+)/.exec(head)?.[1]), body });
    });
    socket.end(request);
  });
}

describe.each(DIALECTS)('refused input on %s', (dialect) => {
  let t: TestApp;
  let ingest: string;
  let hookKey: string;
  let port: number;

  beforeAll(async () => {
    t = await startTestApp(dialect);
    ingest = await t.endpointPath();
    hookKey = (await t.api({ method: 'POST', url: '/api/v1/webhooks', payload: { name: 'ci', auth: { type: 'api_key' } } })).json<{
      key: string;
    }>().key;
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.server.address() as AddressInfo).port;
  });
  afterAll(() => t.close());

  /** Runs `attack` and checks that nothing was stored by it. */
  async function storesNothing(attack: () => Promise<void>): Promise<void> {
    const before = await rowCounts(t.store);
    await attack();
    expect(await rowCounts(t.store)).toEqual(before);
  }

  it("a NUL character in a deploy posted to the webhook: 400 in OpsLevel's format", () =>
    storesNothing(async () => {
      expectOpsLevelError(await t.app.inject({ method: 'POST', url: ingest, payload: seedPayload({ service: 'cart\u0000' }) }), 400);
      expectOpsLevelError(
        await t.app.inject({ method: 'POST', url: ingest, payload: seedPayload({ deployer: { email: 'a@b.c', 'na\u0000me': 'x' } }) }),
        400,
      );
    }));

  it('a NUL character in a webhook delivery, JSON-escaped or as a raw byte: 400 request.nul_character', async () => {
    const headers = { 'x-shipline-key': hookKey };
    await storesNothing(async () => {
      expectShiplineError(
        await t.app.inject({
          method: 'POST',
          url: '/hooks/ci',
          headers: { ...headers, 'content-type': 'application/json' },
          payload: '{"a":"x\\u0000y"}',
        }),
        400,
        'request.nul_character',
      );
      expectShiplineError(
        await t.app.inject({
          method: 'POST',
          url: '/hooks/ci',
          headers: { ...headers, 'content-type': 'text/plain' },
          payload: 'x\u0000y',
        }),
        400,
        'request.nul_character',
      );
    });
    // An escaped backslash before u0000 is text, not a NUL: accepted.
    const text = await t.app.inject({
      method: 'POST',
      url: '/hooks/ci',
      headers: { ...headers, 'content-type': 'application/json' },
      payload: '{"a":"x\\\\u0000y"}',
    });
    expect(text.statusCode, text.body).toBe(202);
  });

  it('a NUL character in the sign-in email: 400 request.nul_character', () =>
    storesNothing(async () => {
      expectShiplineError(
        await t.app.inject({
          method: 'POST',
          url: '/auth/session',
          payload: { email: 'a\u0000@example.com', password: 'correct horse battery' },
        }),
        400,
        'request.nul_character',
      );
    }));

  it('a NUL character in a path parameter, a query string or an API body: 400 request.nul_character', () =>
    storesNothing(async () => {
      expectShiplineError(await t.api({ method: 'GET', url: '/api/v1/services/cart%00' }), 400, 'request.nul_character');
      expectShiplineError(await t.api({ method: 'GET', url: '/api/v1/deploys?service=cart%00' }), 400, 'request.nul_character');
      expectShiplineError(
        await t.api({ method: 'POST', url: '/api/v1/services', payload: { name: 'cart\u0000' } }),
        400,
        'request.nul_character',
      );
    }));

  it('limit=Infinity, 1e309, -1, abc: 400 request.invalid', async () => {
    for (const route of ['/api/v1/deploys', '/api/v1/events', '/api/v1/runs']) {
      for (const limit of ['Infinity', '1e309', '-Infinity', '-1', 'abc', '0']) {
        expectShiplineError(await t.api({ method: 'GET', url: `${route}?limit=${limit}` }), 400, 'request.invalid');
      }
    }
  });

  it("JSON nested 5,000 deep: 400 request.too_deep (OpsLevel's format on the webhook)", () =>
    storesNothing(async () => {
      const json = { 'content-type': 'application/json' };
      // In a field the deploy parser ignores, so only the depth limit can refuse it.
      const deploy = JSON.stringify(seedPayload({ extra: 'x' })).replace('"x"', deepJson(5000));
      const refused = await t.app.inject({ method: 'POST', url: ingest, headers: json, payload: deploy });
      expectOpsLevelError(refused, 400);
      expect(refused.json<{ errors: { detail: string }[] }>().errors[0]!.detail).toMatch(/nested/);
      expectShiplineError(
        await t.api({ method: 'POST', url: '/api/v1/services', headers: json, payload: `{"name":"cart","description":${deepJson(5000)}}` }),
        400,
        'request.too_deep',
      );
      expectShiplineError(
        await t.app.inject({
          method: 'POST',
          url: '/hooks/ci',
          headers: { ...json, 'x-shipline-key': hookKey },
          payload: `{"a":${deepJson(5000)}}`,
        }),
        400,
        'request.too_deep',
      );
      expectShiplineError(
        await t.api({
          method: 'PUT',
          url: '/api/v1/reactions/deep',
          headers: json,
          payload: `{"on":"deploy.recorded","steps":${deepJson(5000)}}`,
        }),
        400,
        'request.too_deep',
      );
    }));

  it('YAML nested deeper than 64 levels: refused before the YAML library builds it, never by running out of stack', () =>
    storesNothing(async () => {
      // One byte a level: before this was refused, the library composed such text until the stack
      // ran out and went on composing there, where V8 aborts the process on compiling a RegExp.
      const deepYaml = [
        `on: deploy.recorded\nsteps: ${'['.repeat(3000)}`,
        `steps: ${'{a: '.repeat(3000)}`,
        `steps:\n${'- '.repeat(3000)}x`,
      ];
      const tooDeep = 'the document is nested more than 64 levels deep';
      for (const text of deepYaml) {
        const put = await t.api({
          method: 'PUT',
          url: '/api/v1/reactions/deep',
          headers: { 'content-type': 'application/yaml' },
          payload: text,
        });
        expectShiplineError(put, 400, 'reaction.invalid');
        expect(put.json<{ error: { details: { problems: string[] } } }>().error.details.problems).toEqual([tooDeep]);
        const validated = await t.api({ method: 'POST', url: '/api/v1/reactions/validate', payload: { yaml: text } });
        expect(validated.statusCode, validated.body).toBe(200);
        expect(validated.json()).toMatchObject({ valid: false, problems: [tooDeep] });
      }
    }));

  it("a malformed percent-encoding in the URL: 400 request.malformed_url (OpsLevel's format on the webhook)", async () => {
    expectShiplineError(await t.api({ method: 'GET', url: '/api/v1/services/%E0%A4%A' }), 400, 'request.malformed_url');
    expectOpsLevelError(await t.app.inject({ method: 'POST', url: '/integrations/deploy/%E0%A4%A', payload: seedPayload() }), 400);
  });

  it("a path parameter longer than the router takes (Fastify's FST_ERR_MAX_PARAM_LENGTH): Shipline's format (OpsLevel's on the webhook)", async () => {
    // Where another route can still match (the web UI's catch-all), the router answers 404 instead of 414.
    const api = await t.api({ method: 'GET', url: `/api/v1/services/${'a'.repeat(500)}` });
    expectShiplineError(api, api.statusCode, api.statusCode === 414 ? 'request.url_too_long' : 'route.not_found');
    expectShiplineError(await t.app.inject({ method: 'POST', url: `/hooks/${'a'.repeat(500)}`, payload: {} }), 414, 'request.url_too_long');
    const deploy = await t.app.inject({ method: 'POST', url: `/integrations/deploy/${'a'.repeat(500)}`, payload: seedPayload() });
    expect([404, 414]).toContain(deploy.statusCode);
    expectOpsLevelError(deploy, deploy.statusCode);
  });

  it("headers larger than Node takes: 431 request.headers_too_large (OpsLevel's format on the webhook)", async () => {
    const big = `X-Big: ${'a'.repeat(20_000)}\r\n`;
    expectShiplineError(await rawHttp(port, `GET /api/v1/services HTTP/1.1\r\nHost: x\r\n${big}\r\n`), 431, 'request.headers_too_large');
    expectOpsLevelError(await rawHttp(port, `POST ${ingest} HTTP/1.1\r\nHost: x\r\n${big}\r\n`), 431);
  });

  it('a Content-Length that is not a number: 400 request.malformed', async () => {
    expectShiplineError(
      await rawHttp(port, 'POST /api/v1/services HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: abc\r\n\r\n{}'),
      400,
      'request.malformed',
    );
  });

  it('the OpenAPI document lists the errors every operation may answer', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json<{
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    }>();
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const listed = Object.keys(operation.responses);
        const expected = ['400', '414', '431', '500', '503', ...(['post', 'put', 'patch'].includes(method) ? ['413', '415'] : [])];
        expect(
          expected.filter((s) => !listed.includes(s)),
          `${method} ${path}`,
        ).toEqual([]);
      }
    }
  });
});

describe.each(DIALECTS)("refused input to the providers' receivers on %s", (dialect) => {
  let e: EngineTestApp;
  beforeAll(async () => {
    e = await startEngineApp(dialect);
  });
  afterAll(() => e.close());

  it('a NUL character in a delivery to the Octopus and the GitHub receivers: 400 request.nul_character, before anything is looked up', async () => {
    const before = await rowCounts(e.store);
    const json = { 'content-type': 'application/json' };
    expectShiplineError(
      await e.app.inject({
        method: 'POST',
        url: '/hooks/octopus/00000000-0000-0000-0000-000000000000',
        headers: json,
        payload: '{"Payload":{"Event":{"Message":"a\\u0000b"}}}',
      }),
      400,
      'request.nul_character',
    );
    expectShiplineError(
      await e.app.inject({
        method: 'POST',
        url: '/hooks/github/00000000-0000-0000-0000-000000000000',
        headers: json,
        payload: '{"action":"a\\u0000b"}',
      }),
      400,
      'request.nul_character',
    );
    expect(await rowCounts(e.store)).toEqual(before);
  });
});

describe('the SSRF guard', () => {
  it('a private or loopback IPv4 address inside NAT64, 6to4, IPv4-compatible or SIIT IPv6 addresses is refused', () => {
    for (const address of [
      '64:ff9b::7f00:1',
      '64:ff9b::a00:1',
      '2002:7f00:1::',
      '2002:a9fe:a9fe::1',
      '::7f00:1',
      '::a9fe:a9fe',
      '::ffff:0:7f00:1',
      '::ffff:0:a00:1',
    ]) {
      expect(classifyAddress(address), address).toBeDefined();
    }
  });
});
