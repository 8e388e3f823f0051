import http from 'node:http';
import { once } from 'node:events';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { closeConnectionsOnStop } from './graceful-close.js';

describe('closeConnectionsOnStop', () => {
  it('cuts the connection of a request still unanswered after the grace, so a stop always ends', async () => {
    const app = Fastify();
    closeConnectionsOnStop(app, 200);
    app.post('/', async () => ({ ok: true }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    const request = http.request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/',
      headers: { 'content-type': 'application/json', 'content-length': '100' },
    });
    const failed = new Promise<string>((resolve) => {
      request.on('error', (err) => resolve(err.message));
      request.on('response', (res) => resolve(`answered ${res.statusCode}`));
    });
    const arrived = once(app.server, 'request');
    // A body that never completes: the request stays under way.
    request.write('{"a":');
    await arrived;
    await app.close();
    expect(await failed).toMatch(/socket hang up|ECONNRESET/);
  });
});
