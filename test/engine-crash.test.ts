import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../src/store/index.js';
import { DIALECTS, freshDatabase } from './support/databases.js';
import { allRuns, postDeploy, remoteApi } from './support/remote.js';
import { TEST_MASTER_KEY } from './support/runtime.js';
import { Fleet } from './support/fleet.js';
import { eventually } from './support/sink.js';

/**
 * Crash safety of runs: kill -9 the server while runs are in flight; after a restart on the same
 * data every run finishes, and no step the store had recorded as succeeded runs again.
 */

const DEPLOYS = 60;

describe.each(DIALECTS)('runs survive kill -9 on %s', (dialect) => {
  const fleet = new Fleet();
  const sink = fleet.sink;

  afterAll(() => fleet.close());

  it('finishes every run after a restart without repeating a succeeded step', async () => {
    await sink.start();
    // Slow answers keep many steps in flight when the kill lands.
    sink.reply = () => ({ status: 200, body: 'ok' });
    const database = (fleet.database = await freshDatabase(dialect));
    const adminToken = randomBytes(20).toString('hex');
    const options = {
      dataDir: database.options.dataDir,
      databaseUrl: database.options.databaseUrl,
      adminToken,
      env: {
        SHIPLINE_ALLOW_HOSTS: '127.0.0.1',
        SHIPLINE_MASTER_KEY: TEST_MASTER_KEY,
        SHIPLINE_WORKERS: '4',
        SHIPLINE_JOB_LEASE_MS: '2000',
      },
    };
    const first = await fleet.start(options);
    await remoteApi(
      first,
      adminToken,
      'PUT',
      '/api/v1/reactions/crashy',
      {
        name: 'crashy',
        on: { event: 'deploy.recorded' },
        steps: {
          a: { uses: 'http.request', with: { method: 'POST', url: `${sink.url}/a`, body: { n: '{{ data.dedupId }}' } } },
          b: { after: 'a', uses: 'wait', with: { duration: '50ms' } },
          c: { after: 'b', uses: 'http.request', with: { method: 'POST', url: `${sink.url}/c`, body: { n: '{{ data.dedupId }}' } } },
        },
      },
      201,
    );
    const endpoint = await remoteApi<{ id: string }>(first, adminToken, 'POST', '/api/v1/deploy-endpoints', { name: 'crash' }, 201);
    for (let i = 0; i < DEPLOYS; i++) {
      const status = await postDeploy(first, endpoint.id, {
        service: 'svc',
        description: 'd',
        deployed_at: '2024-01-01T00:00:00Z',
        deployer: { name: 'ci' },
        dedup_id: `d-${i}`,
      });
      expect(status).toBe(202);
    }
    await sink.waitFor((requests) => requests.length >= DEPLOYS / 2);
    first.signal('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });

    // What the store had recorded as done at the moment of the kill.
    const store = openStore({ ...database.options, masterKey: TEST_MASTER_KEY });
    const succeeded = new Set(
      (
        await store.db.transaction((run) =>
          run.query<{ run_id: string; step_id: string }>("SELECT run_id, step_id FROM step_executions WHERE status = 'succeeded'"),
        )
      ).map((s) => `${s.run_id}:${s.step_id}`),
    );
    await store.close();
    const beforeRestart = sink.requests.length;

    const second = await fleet.start(options);
    const runs = await eventually(
      async () => {
        const all = await allRuns(second, adminToken, 'crashy');
        return all.length === DEPLOYS && all.every((r) => r.status === 'succeeded' || r.status === 'failed') ? all : undefined;
      },
      45_000,
      'every run finished',
    );
    expect(runs.filter((r) => r.status !== 'succeeded')).toEqual([]);
    const repeated = sink.requests
      .slice(beforeRestart)
      .map((r) => String(r.headers['idempotency-key']))
      .filter((key) => succeeded.has(key));
    expect(repeated).toEqual([]);
    // Each step reached the sink at least once per run; repeats are only of steps cut short by the kill.
    for (const path of ['/a', '/c']) {
      const keys = new Set(sink.requests.filter((r) => r.path === path).map((r) => r.headers['idempotency-key']));
      expect(keys.size).toBe(DEPLOYS);
    }
    expect(await second.stop(), second.output()).toEqual({ code: 0, signal: null });
  }, 90_000);
});
