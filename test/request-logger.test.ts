import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/server/app.js';
import { openStore } from '../src/store/index.js';
import type { Store } from '../src/store/index.js';
import { freshDatabase } from './support/databases.js';
import type { TestDatabase } from './support/databases.js';
import { seedPayload } from './support/app.js';

/** A pino logger writing JSON lines into `lines`, counting the children made of it. */
function recordingLogger(level: string): { logger: Logger; lines: Record<string, unknown>[]; children: () => number } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const logger = pino({ level }, sink);
  let children = 0;
  const child = logger.child.bind(logger);
  logger.child = ((...args: Parameters<Logger['child']>) => {
    children++;
    return child(...args);
  }) as Logger['child'];
  return { logger, lines, children: () => children };
}

describe('request loggers', () => {
  let database: TestDatabase | undefined;
  let store: Store | undefined;
  let app: FastifyInstance | undefined;

  afterEach(async () => {
    await app?.close();
    await store?.close();
    await database?.drop();
  });

  async function start(logger: Logger): Promise<FastifyInstance> {
    database = await freshDatabase('sqlite');
    store = openStore(database.options);
    await store.migrate();
    app = await buildApp({ store, logger, config: { publicUrl: 'http://shipline.test', bodyLimit: 1024 * 1024 } });
    return app;
  }

  it('makes no pino child for a deploy that logs nothing', async () => {
    const log = recordingLogger('info');
    const app = await start(log.logger);
    const endpoint = await store!.endpoints.create('ci');
    const before = log.children();
    for (let i = 0; i < 3; i++) {
      const res = await app.inject({
        method: 'POST',
        url: `/integrations/deploy/${endpoint.id}`,
        payload: seedPayload({ dedup_id: `d${i}` }),
      });
      expect(res.statusCode).toBe(202);
    }
    expect(log.children()).toBe(before);
  });

  it("still binds a request's lines to its id when it logs", async () => {
    const log = recordingLogger('debug');
    const app = await start(log.logger);
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    const line = log.lines.find((l) => l.msg === 'request');
    expect(line).toMatchObject({ level: 20, reqId: expect.stringMatching(/^req-/), method: 'GET', url: '/healthz', status: 200 });
  });
});
