import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { freshDatabase, POSTGRES_URL } from './support/databases.js';
import { allRuns, postDeploy, remoteApi } from './support/remote.js';
import { TEST_MASTER_KEY } from './support/runtime.js';
import { Fleet } from './support/fleet.js';
import { eventually } from './support/sink.js';

/**
 * Scale-out: two Shipline processes on one PostgreSQL database share the job queue (SKIP LOCKED
 * claims, LISTEN/NOTIFY wake-ups). 1,000 events, one step each: every step runs exactly once.
 */

const EVENTS = 1000;

describe.runIf(POSTGRES_URL)('two processes on one PostgreSQL database', () => {
  const fleet = new Fleet();
  const sink = fleet.sink;

  afterAll(() => fleet.close());

  it('executes every step once across both processes', async () => {
    await sink.start();
    const database = (fleet.database = await freshDatabase('postgres'));
    const adminToken = randomBytes(20).toString('hex');
    const options = {
      dataDir: database.options.dataDir,
      databaseUrl: database.options.databaseUrl,
      adminToken,
      env: { SHIPLINE_ALLOW_HOSTS: '127.0.0.1', SHIPLINE_MASTER_KEY: TEST_MASTER_KEY },
    };
    const a = await fleet.start({ ...options, name: 'Shipline A' });
    const b = await fleet.start({ ...options, name: 'Shipline B' });
    await remoteApi(
      a,
      adminToken,
      'PUT',
      '/api/v1/reactions/fanout',
      {
        name: 'fanout',
        on: { event: 'deploy.recorded' },
        steps: { notify: { uses: 'http.request', with: { method: 'POST', url: `${sink.url}/notify`, body: { n: '{{ data.dedupId }}' } } } },
      },
      201,
    );
    const endpoint = await remoteApi<{ id: string }>(b, adminToken, 'POST', '/api/v1/deploy-endpoints', { name: 'multi' }, 201);
    const senders = Array.from({ length: 10 }, async (_, s) => {
      for (let i = s; i < EVENTS; i += 10) {
        const server = i % 2 === 0 ? a : b;
        expect(
          await postDeploy(server, endpoint.id, {
            service: 'svc',
            description: 'd',
            deployed_at: '2024-01-01T00:00:00Z',
            deployer: { name: 'ci' },
            dedup_id: `m-${i}`,
          }),
        ).toBe(202);
      }
    });
    await Promise.all(senders);
    await sink.waitFor((requests) => requests.length >= EVENTS, 60_000);
    const runs = await eventually(
      async () => {
        const all = await allRuns(a, adminToken, 'fanout');
        return all.length === EVENTS && all.every((r) => r.status === 'succeeded') ? all : undefined;
      },
      30_000,
      'every run succeeded',
    );
    expect(runs).toHaveLength(EVENTS);
    const counts = new Map<string, number>();
    for (const r of sink.requests)
      counts.set(String(r.headers['idempotency-key']), (counts.get(String(r.headers['idempotency-key'])) ?? 0) + 1);
    expect(counts.size).toBe(EVENTS);
    expect([...counts.values()].filter((n) => n !== 1)).toEqual([]);
  }, 120_000);
});
