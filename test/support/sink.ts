import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the sink received. */
export interface SinkRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

export type SinkReply = { status: number; headers?: Record<string, string>; body?: string };

/**
 * A local HTTP receiver standing in for whatever a reaction calls: it records every request and
 * answers with `reply` (by default 200 `{"ok":true}`). `waitFor` resolves when a condition over
 * the received requests holds, or rejects at its deadline: tests wait on events, not sleeps.
 */
export class Sink {
  readonly requests: SinkRequest[] = [];
  reply: (request: SinkRequest, index: number) => SinkReply = () => ({
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: '{"ok":true}',
  });
  private server: http.Server;
  private waiters: Array<() => void> = [];
  url = '';

  constructor() {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const request: SinkRequest = {
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          at: Date.now(),
        };
        this.requests.push(request);
        const answer = this.reply(request, this.requests.length - 1);
        res.writeHead(answer.status, answer.headers ?? {});
        res.end(answer.body ?? '');
        for (const wake of this.waiters) wake();
      });
    });
    this.server.keepAliveTimeout = 60_000;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Resolves once `check` holds over the requests received, checked on every arrival. */
  waitFor(check: (requests: SinkRequest[]) => boolean, timeoutMs = 15_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const test = () => {
        if (!check(this.requests)) return false;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== test);
        resolve();
        return true;
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== test);
        reject(new Error(`sink: condition not met within ${timeoutMs} ms (${this.requests.length} requests received)`));
      }, timeoutMs);
      if (!test()) this.waiters.push(test);
    });
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Polls `check` until it returns a value (not undefined) or the deadline passes. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
