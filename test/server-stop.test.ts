import http from 'node:http';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { DIALECTS } from './support/databases.js';
import { seedPayload, startTestApp } from './support/app.js';
import type { TestApp } from './support/app.js';

const outcome = <T>(work: Promise<T>, ms: number): Promise<T | 'still waiting'> =>
  Promise.race([work, new Promise<'still waiting'>((resolve) => setTimeout(() => resolve('still waiting'), ms).unref())]);

describe.each(DIALECTS)('stopping the server on %s', (dialect) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('answers a deploy under way when the stop begins, then ends without waiting for its keep-alive connection', async () => {
    t = await startTestApp(dialect);
    const path = await t.endpointPath();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as { port: number };
    const agent = new http.Agent({ keepAlive: true });
    const body = JSON.stringify(seedPayload({ dedup_id: 'under-way-at-stop' }));
    const request = http.request({
      host: '127.0.0.1',
      port,
      path,
      method: 'POST',
      agent,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    });
    const answered = new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
      request.on('response', (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
      });
      request.on('error', reject);
    });
    // Half the body, so the request is under way (its headers read) when the stop begins.
    const arrived = once(t.app.server, 'request');
    request.write(body.slice(0, 20));
    await arrived;
    const stopped = t.app.close();
    request.end(body.slice(20));

    expect((await answered).status).toBe(202);
    // Without the fix the stop waits for the keep-alive timeout (72 s).
    expect(
      await outcome(
        stopped.then(() => 'stopped'),
        8_000,
      ),
    ).toBe('stopped');
    expect((await t.store.deploys.list({ limit: 10 })).items.map((d) => d.dedupId)).toContain('under-way-at-stop');
    agent.destroy();
  }, 20_000);
});
