import { getEventListeners } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NonRetriableError } from '../../engine/action.js';
import { createHttpClient } from './client.js';
import { SsrfRefusedError } from './ssrf.js';

let hits = 0;
const server = createServer((req, res) => {
  hits++;
  const path = req.url?.split('?')[0];
  if (path === '/hang') return; // never answers: for timeouts and aborts
  if (path === '/big') return void res.end('x'.repeat(10_000));
  res.setHeader('set-cookie', ['a=1', 'b=2']);
  res.setHeader('X-Echo-Auth', req.headers.authorization ?? '');
  res.end(`${req.method} ${req.url}`);
});
let port = 0;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

const open = createHttpClient({ allowHosts: ['127.0.0.1'] });
const guarded = createHttpClient({ allowHosts: [] });

afterAll(async () => {
  await Promise.all([open.close(), guarded.close()]);
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('createHttpClient', () => {
  it('returns status, lower-cased and joined headers, and the body', async () => {
    const response = await open.request({ method: 'GET', url: `http://127.0.0.1:${port}/a?b=1` });
    expect(response.status).toBe(200);
    expect(response.headers['set-cookie']).toBe('a=1, b=2');
    expect(response.headers['x-echo-auth']).toBe('');
    expect(response.body).toBe('GET /a?b=1');
    expect(response.truncated).toBe(false);
  });

  it('turns URL credentials into Basic auth', async () => {
    const response = await open.request({ method: 'GET', url: `http://u:p%40ss@127.0.0.1:${port}/` });
    expect(response.headers['x-echo-auth']).toBe(`Basic ${Buffer.from('u:p@ss').toString('base64')}`);
  });

  it('cuts the body at maxResponseBytes', async () => {
    const response = await open.request({ method: 'GET', url: `http://127.0.0.1:${port}/big`, maxResponseBytes: 1000 });
    expect(response.body).toHaveLength(1000);
    expect(response.truncated).toBe(true);
  });

  it('times out with a retriable error that names the request but not its query', async () => {
    const failure = open.request({ method: 'GET', url: `http://127.0.0.1:${port}/hang?token=s3cret`, timeoutMs: 100 });
    await expect(failure).rejects.toThrow(`GET http://127.0.0.1:${port}/hang timed out after 100 ms`);
    await expect(failure).rejects.not.toBeInstanceOf(NonRetriableError);
    await expect(failure).rejects.not.toThrow(/s3cret/);
  });

  it('stops when the caller aborts', async () => {
    const controller = new AbortController();
    const failure = open.request({ method: 'GET', url: `http://127.0.0.1:${port}/hang`, signal: controller.signal });
    controller.abort();
    await expect(failure).rejects.toThrow(/was aborted/);
  });

  it('sends nothing for a caller that aborted before the request', async () => {
    const before = hits;
    const failure = open.request({ method: 'GET', url: `http://127.0.0.1:${port}/a`, signal: AbortSignal.abort() });
    await expect(failure).rejects.toThrow(/was aborted/);
    expect(hits).toBe(before);
  });

  it("lets go of the caller's signal once a request ends, answered or failed", async () => {
    // A step's signal lives as long as its step: a listener left on it per request would pile up.
    const controller = new AbortController();
    await open.request({ method: 'GET', url: `http://127.0.0.1:${port}/a`, signal: controller.signal });
    await expect(
      open.request({ method: 'GET', url: `http://127.0.0.1:${port}/hang`, signal: controller.signal, timeoutMs: 50 }),
    ).rejects.toThrow(/timed out after 50 ms/);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('closes even while a request waits on a server that never answers, cutting the request off', async () => {
    const client = createHttpClient({ allowHosts: ['127.0.0.1'] });
    // Longer than the test may take: only close() can end it.
    const pending = client.request({ method: 'GET', url: `http://127.0.0.1:${port}/hang`, timeoutMs: 120_000 });
    pending.catch(() => undefined);
    await expect.poll(() => hits).toBeGreaterThan(0);
    await client.close();
    await expect(pending).rejects.toThrow();
  });

  it('reports network errors with their cause', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(
      open.request({ method: 'POST', url: `http://127.0.0.1:${closedPort}/x`, headers: { authorization: 'Bearer s3cret' } }),
    ).rejects.toThrow(new RegExp(`POST http://127.0.0.1:${closedPort}/x failed: .*ECONNREFUSED(?!.*s3cret)`));
  });

  it('refuses non-http URLs', async () => {
    await expect(open.request({ method: 'GET', url: 'file:///etc/passwd' })).rejects.toBeInstanceOf(NonRetriableError);
  });

  describe('SSRF guard', () => {
    it.each(['127.0.0.1', '10.0.0.1', '169.254.169.254', '[::1]', '[::ffff:127.0.0.1]', '0.0.0.0'])(
      'refuses %s before connecting',
      async (host) => {
        const before = hits;
        const started = performance.now();
        await expect(guarded.request({ method: 'GET', url: `http://${host}:${port}/` })).rejects.toBeInstanceOf(SsrfRefusedError);
        // Unroutable 10.x and 169.254.x would hang until the connect timeout if a connection were tried.
        expect(performance.now() - started).toBeLessThan(500);
        expect(hits).toBe(before);
      },
    );

    it('refuses a host name that resolves to loopback, after DNS resolution', async () => {
      const before = hits;
      const failure = guarded.request({ method: 'GET', url: `http://localhost:${port}/` });
      await expect(failure).rejects.toBeInstanceOf(SsrfRefusedError);
      await expect(failure).rejects.toThrow(/localhost \((127\.0\.0\.1|::1)\).*SHIPLINE_ALLOW_HOSTS/);
      expect(hits).toBe(before);
    });

    it('lets through addresses on the allow list, as IPs, CIDRs or names', async () => {
      for (const allow of [['127.0.0.1'], ['127.0.0.0/8'], ['localhost']]) {
        const client = createHttpClient({ allowHosts: allow });
        try {
          const url = `http://${allow[0] === 'localhost' ? 'localhost' : '127.0.0.1'}:${port}/ok`;
          expect((await client.request({ method: 'GET', url })).status).toBe(200);
        } finally {
          await client.close();
        }
      }
    });

    it('resolving localhost with only 127.0.0.1 allowed connects to 127.0.0.1', async () => {
      const client = createHttpClient({ allowHosts: ['127.0.0.1'] });
      try {
        expect((await client.request({ method: 'GET', url: `http://localhost:${port}/ok` })).status).toBe(200);
      } finally {
        await client.close();
      }
    });
  });
});
