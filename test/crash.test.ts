import http from 'node:http';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { sqliteDatabaseClass } from '../src/store/sqlite-driver.js';
import { afterAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from './support/databases.js';
import { DIALECTS, freshDatabase } from './support/databases.js';
import type { ServerProcess } from './support/server-process.js';
import { startServer } from './support/server-process.js';

// The build of better-sqlite3 Shipline itself opens on this Node.
const SqliteDatabase = sqliteDatabaseClass();

/**
 * Crash safety: a 202 from the deploy webhook promises the deploy is committed. Kill -9 the
 * server while several connections are ingesting, restart it on the same data, and every
 * acknowledged deploy must be there and the store must open cleanly.
 */

const SENDERS = 8;
/** Acknowledgements to collect before the kill, so it lands mid-load and not during warm-up. */
const ACKS_BEFORE_KILL = 300;
/** Upper bounds for the phases, so a stuck server fails the test instead of hanging it. */
const LOAD_DEADLINE_MS = 30_000;
const REQUEST_TIMEOUT_MS = 10_000;

interface HttpResponse {
  status: number;
  body: string;
}

function request(
  url: string,
  init: { method: string; headers?: Record<string, string>; body?: string; agent?: http.Agent },
): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: init.method, headers: init.headers, agent: init.agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    // A server that stops answering without closing the socket must not stall a sender forever.
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`no response within ${REQUEST_TIMEOUT_MS} ms`)));
    req.end(init.body);
  });
}

function api(server: ServerProcess, token: string, method: string, pathname: string, body?: unknown): Promise<HttpResponse> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  return request(`${server.url}${pathname}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

/** Every deploy's dedupId, following nextCursor to the end. */
async function allDedupIds(server: ServerProcess, token: string): Promise<Array<string | null>> {
  const ids: Array<string | null> = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const res = await api(server, token, 'GET', `/api/v1/deploys?limit=500${query}`);
    expect(res.status, res.body).toBe(200);
    const page = JSON.parse(res.body) as { items: Array<{ dedupId: string | null }>; nextCursor: string | null };
    ids.push(...page.items.map((item) => item.dedupId));
    cursor = page.nextCursor;
  } while (cursor);
  return ids;
}

interface Load {
  /** dedup_ids answered 202: each is a promise that the deploy is committed. */
  acknowledged: Set<string>;
  /** dedup_ids sent that got no answer because the server died: they may or may not be stored. */
  unanswered: Set<string>;
  /** Anything else (an error before the kill, a non-202 status): each is a test failure. */
  failures: string[];
}

/**
 * Runs SENDERS loops, each on its own keep-alive connection, posting deploys with unique
 * dedup_ids. On the ACKS_BEFORE_KILL-th 202 it SIGKILLs the server right there, while the
 * other senders have requests on the wire, then lets every sender run into the dead server.
 * Resolves when all senders have stopped.
 */
async function ingestUntilKilled(server: ServerProcess, endpointId: string, runId: string): Promise<Load> {
  const load: Load = { acknowledged: new Set(), unanswered: new Set(), failures: [] };
  let killed = false;
  const ingestUrl = `${server.url}/integrations/deploy/${endpointId}`;

  async function sender(n: number): Promise<void> {
    // maxSockets 1: one connection per sender, so the load really arrives on SENDERS connections.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let seq = 0; !killed && load.failures.length === 0; seq++) {
        const dedupId = `crash-${runId}-${n}-${seq}`;
        const body = JSON.stringify({
          service: 'checkout',
          description: 'd',
          deployed_at: '2024-01-01T00:00:00Z',
          deployer: { name: 'ci' },
          dedup_id: dedupId,
          environment: 'Production',
        });
        let res: HttpResponse;
        try {
          res = await request(ingestUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body, agent });
        } catch (err) {
          // After the kill, a reset or refused connection is the expected way for a sender to end.
          if (killed) load.unanswered.add(dedupId);
          else load.failures.push(`sender ${n}: ${dedupId}: ${(err as Error).message}`);
          return;
        }
        // A 202 counts even if it is read after the kill: the server sent it, so it promised.
        const result = res.status === 202 ? (JSON.parse(res.body) as { result?: unknown }).result : undefined;
        if (result !== 'ok' && result !== 'no_service_found') {
          load.failures.push(`sender ${n}: ${dedupId}: ${res.status} ${res.body}`);
          return;
        }
        load.acknowledged.add(dedupId);
        if (!killed && load.acknowledged.size >= ACKS_BEFORE_KILL) {
          killed = true;
          server.signal('SIGKILL');
        }
      }
    } finally {
      agent.destroy();
    }
  }

  let deadline: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    deadline = setTimeout(
      () => reject(new Error(`load not done within ${LOAD_DEADLINE_MS} ms: ${load.acknowledged.size} acknowledged`)),
      LOAD_DEADLINE_MS,
    );
  });
  try {
    await Promise.race([Promise.all(Array.from({ length: SENDERS }, (_, n) => sender(n))), timedOut]);
  } finally {
    clearTimeout(deadline);
    // After a failure or timeout the server may still be up: kill it so the caller's wait for
    // its exit ends, and the senders still on the wire run into the dead server and stop.
    killed = true;
    server.signal('SIGKILL');
  }
  return load;
}

describe.each(DIALECTS)('crash safety on %s', (dialect) => {
  const servers: ServerProcess[] = [];
  let database: TestDatabase | undefined;

  afterAll(async () => {
    // Whatever failed above, no server outlives the suite and the database goes away.
    for (const server of servers) {
      server.signal('SIGKILL');
      await server.exited;
    }
    await database?.drop();
  });

  it('keeps every acknowledged deploy through kill -9 and restarts on a clean store', async () => {
    database = await freshDatabase(dialect);
    const adminToken = randomBytes(20).toString('hex');
    const options = { dataDir: database.options.dataDir, databaseUrl: database.options.databaseUrl, adminToken };
    const runId = randomBytes(4).toString('hex');

    const first = await startServer(options);
    servers.push(first);
    const created = await api(first, adminToken, 'POST', '/api/v1/deploy-endpoints', { name: 'crash' });
    expect(created.status, created.body).toBe(201);
    const endpointId = (JSON.parse(created.body) as { id: string }).id;

    const load = await ingestUntilKilled(first, endpointId, runId);
    const firstExit = await first.exited;
    expect(load.failures, first.output()).toEqual([]);
    expect(load.acknowledged.size).toBeGreaterThanOrEqual(ACKS_BEFORE_KILL);
    // The server died of our SIGKILL, not of anything of its own.
    expect(firstExit).toEqual({ code: null, signal: 'SIGKILL' });

    const second = await startServer(options);
    servers.push(second);
    const ready = await request(`${second.url}/readyz`, { method: 'GET' });
    expect(ready.status, ready.body).toBe(200);

    const stored = await allDedupIds(second, adminToken);
    const storedSet = new Set(stored);
    const lost = [...load.acknowledged].filter((id) => !storedSet.has(id));
    const inFlightStored = [...load.unanswered].filter((id) => storedSet.has(id)).length;
    console.log(
      `[crash ${dialect}] acknowledged ${load.acknowledged.size}, all present: ${lost.length === 0}; ` +
        `in flight at the kill ${load.unanswered.size}, of which stored ${inFlightStored}; stored in total ${stored.length}`,
    );
    expect(lost, `acknowledged but missing after restart (${lost.length} of ${load.acknowledged.size})`).toEqual([]);
    // Nothing stored twice, and nothing we never sent.
    expect(stored.length).toBe(storedSet.size);
    expect(stored.filter((id) => id === null || (!load.acknowledged.has(id) && !load.unanswered.has(id)))).toEqual([]);

    expect(await second.stop(), second.output()).toEqual({ code: 0, signal: null });

    if (dialect === 'sqlite') {
      // Opened only after a graceful stop, so the check sees what the server left, not a live WAL.
      const db = new SqliteDatabase(path.join(database.options.dataDir, 'shipline.db'));
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        expect(db.prepare('SELECT count(*) AS n FROM deploys').get()).toEqual({ n: stored.length });
      } finally {
        db.close();
      }
    }
  }, 60_000);
});
