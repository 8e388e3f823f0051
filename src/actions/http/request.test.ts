import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Compile } from 'typebox/compile';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSecret, verify } from '../../core/standard-webhooks.js';
import { NonRetriableError, RetryAfterError } from '../../engine/action.js';
import type { Outcome } from '../../engine/action.js';
import { createTestContext } from '../../integrations/action-context.test-support.js';
import type { HttpRequestConfig } from './request.js';
import { httpRequestAction } from './request.js';
import { SsrfRefusedError } from './ssrf.js';

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

// A sink that records what arrives and answers according to the path.
const received: Received[] = [];
const sink = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    received.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString() });
    const path = req.url!.split('?')[0]!;
    const status = /^\/status\/(\d+)$/.exec(path);
    if (path === '/hang') return;
    if (path === '/json') {
      res.setHeader('content-type', 'application/json; charset=utf-8');
      return void res.end(JSON.stringify({ hello: 'world' }));
    }
    if (path === '/big') return void res.end('x'.repeat(300 * 1024));
    if (path === '/limited') {
      res.writeHead(429, { 'retry-after': '2' });
      return void res.end('slow down');
    }
    if (status) {
      res.writeHead(Number(status[1]), { 'content-type': 'text/plain' });
      return void res.end(`status ${status[1]}`);
    }
    res.end('ok');
  });
});
let base = '';

const secret = generateSecret();
const open = createTestContext({ allowHosts: ['127.0.0.1'], secrets: { 'hook-secret': secret } });
const guarded = createTestContext();

beforeAll(async () => {
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await Promise.all([open.close(), guarded.close()]);
  sink.closeAllConnections();
  await new Promise((resolve) => sink.close(resolve));
});

const run = (config: HttpRequestConfig, context = open) => httpRequestAction.run(context.ctx, config) as Promise<Outcome>;
const last = () => received[received.length - 1]!;

describe('http.request', () => {
  it('declares a closed config schema, channels and an example output', () => {
    expect(httpRequestAction.name).toBe('http.request');
    expect(httpRequestAction.channels).toEqual(['success', 'failed']);
    expect(httpRequestAction.exampleOutput).toBeDefined();
    const check = Compile(httpRequestAction.config);
    expect(check.Check({ url: 'https://example.com', expectStatus: [200, '2xx'], timeout: '10s' })).toBe(true);
    expect(check.Check({ url: 'https://example.com', bogus: 1 })).toBe(false);
    expect(check.Check({ url: 'https://example.com', timeout: 'soon' })).toBe(false);
  });

  it('sends query, headers and a JSON body, and parses a JSON response', async () => {
    const outcome = await run({
      url: `${base}/json?keep=1`,
      query: { page: 2, all: true, q: 'a b' },
      headers: { 'X-Custom': 'yes' },
      body: { deploy: 'checkout' },
    });
    expect(outcome).toEqual({
      channel: 'success',
      output: {
        status: 200,
        headers: expect.objectContaining({ 'content-type': 'application/json; charset=utf-8' }),
        body: { hello: 'world' },
      },
    });
    const request = last();
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/json?keep=1&page=2&all=true&q=a+b');
    expect(request.headers['x-custom']).toBe('yes');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['idempotency-key']).toBe('run_test:step1');
    expect(request.headers['user-agent']).toBe('Shipline');
    expect(JSON.parse(request.body)).toEqual({ deploy: 'checkout' });
    expect(open.logs.at(-1)).toMatch(new RegExp(`^POST ${base}/json → 200 in \\d+ ms$`));
  });

  it("defaults to GET without a body, sends strings as text, and keeps a caller's Idempotency-Key", async () => {
    await run({ url: `${base}/plain` });
    expect(last().method).toBe('GET');
    await run({ url: `${base}/plain`, method: 'PUT', body: 'hi', headers: { 'Idempotency-Key': 'mine' } });
    expect(last()).toMatchObject({
      method: 'PUT',
      body: 'hi',
      headers: { 'content-type': 'text/plain; charset=utf-8', 'idempotency-key': 'mine' },
    });
  });

  it('routes an unexpected 4xx to failed, and an expected one to success', async () => {
    expect(await run({ url: `${base}/status/404` })).toEqual({
      channel: 'failed',
      output: { status: 404, headers: expect.any(Object), body: 'status 404' },
    });
    expect((await run({ url: `${base}/status/404`, expectStatus: ['4xx'] })).channel).toBe('success');
  });

  it('throws a retriable error on 5xx', async () => {
    const failure = run({ url: `${base}/status/503` });
    await expect(failure).rejects.toThrow(/HTTP 503/);
    await expect(failure).rejects.not.toBeInstanceOf(NonRetriableError);
  });

  it('honours Retry-After on 429', async () => {
    const error = await run({ url: `${base}/limited` }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryAfterError);
    expect((error as RetryAfterError).retryAfterMs).toBe(2000);
  });

  it('times out with a retriable error', async () => {
    const failure = run({ url: `${base}/hang`, timeout: '150ms' });
    await expect(failure).rejects.toThrow(/timed out after 150 ms/);
    await expect(failure).rejects.not.toBeInstanceOf(NonRetriableError);
  });

  it('marks a cut body as truncated', async () => {
    const outcome = await run({ url: `${base}/big` });
    expect(outcome.output).toMatchObject({ status: 200, truncated: true });
    expect((outcome.output as { body: string }).body).toHaveLength(256 * 1024);
  });

  it('signs with Standard Webhooks, keyed by the stored secret', async () => {
    await run({ url: `${base}/hook`, body: { a: 1 }, sign: { secret: 'hook-secret' } });
    const request = last();
    expect(request.headers['webhook-id']).toBe('run_test:step1');
    expect(verify(secret, request.headers, request.body)).toEqual({ ok: true });
  });

  it('fails without retry when the signing secret is missing', async () => {
    await expect(run({ url: `${base}/hook`, sign: { secret: 'nope' } })).rejects.toBeInstanceOf(NonRetriableError);
  });

  it.each(['http://127.0.0.1:9/', 'http://10.0.0.1/', 'http://169.254.169.254/latest/meta-data/', 'http://[::1]:9/'])(
    'refuses %s without the allow list',
    async (url) => {
      await expect(run({ url }, guarded)).rejects.toBeInstanceOf(SsrfRefusedError);
    },
  );

  it('refuses a host name resolving to loopback without the allow list', async () => {
    const count = received.length;
    await expect(run({ url: base.replace('127.0.0.1', 'localhost') }, guarded)).rejects.toBeInstanceOf(SsrfRefusedError);
    expect(received).toHaveLength(count);
  });

  it('refuses invalid and non-http URLs without retry', async () => {
    await expect(run({ url: 'not a url' })).rejects.toBeInstanceOf(NonRetriableError);
    await expect(run({ url: 'ftp://example.com/' })).rejects.toBeInstanceOf(NonRetriableError);
  });
});
