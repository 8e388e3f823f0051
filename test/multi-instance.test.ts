import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDeployPayload } from '../src/core/deploy-payload.js';
import type { DeployInput } from '../src/core/deploy-payload.js';
import { openStore } from '../src/store/index.js';
import type { Store } from '../src/store/index.js';
import type { TestDatabase } from './support/databases.js';
import { DIALECTS, POSTGRES_URL, freshDatabase } from './support/databases.js';
import { seedPayload } from './support/app.js';

function input(overrides: Record<string, unknown>): DeployInput {
  const parsed = parseDeployPayload(seedPayload({ deploy_number: undefined, ...overrides }));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.input;
}

// Two stores on one database behave as two Shipline instances sharing it: each batches its own
// ingests, and their transactions race for the same dedup_ids and the same sequence row.
describe.each(DIALECTS)('two instances on one %s database', (dialect) => {
  let database: TestDatabase;
  let a: Store;
  let b: Store;
  let endpointId: string;

  beforeAll(async () => {
    database = await freshDatabase(dialect);
    a = openStore(database.options);
    await a.migrate();
    b = openStore(database.options);
    await b.migrate();
    await a.services.create({ name: 'shopping_cart' });
    endpointId = (await a.endpoints.create('ci')).id;
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await database.drop();
  });

  it('records each dedup_id once and numbers every deploy of a service distinctly and consecutively', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => `race-${i % 20}`);
    const outcomes = await Promise.all(ids.map((id, i) => (i % 2 ? a : b).ingest.record(endpointId, input({ dedup_id: id }))));
    expect(outcomes.filter((o) => o.result === 'ok')).toHaveLength(20);
    expect(outcomes.filter((o) => o.result === 'duplicate_deploy')).toHaveLength(20);

    const page = await a.deploys.list({ service: 'shopping_cart', limit: 100 });
    expect(page.items.map((d) => d.dedupId).sort()).toEqual([...new Set(ids)].sort());
    const numbers = page.items.map((d) => Number(d.deployNumber)).sort((x, y) => x - y);
    expect(numbers).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('answers each request of a batch on its own: an unknown endpoint does not fail the others', async () => {
    const outcomes = await Promise.all([
      a.ingest.record(endpointId, input({ dedup_id: 'fine-1' })),
      a.ingest.record('00000000-0000-7000-8000-000000000000', input({ dedup_id: 'lost' })),
      a.ingest.record(endpointId, input({ dedup_id: 'fine-2' })),
    ]);
    expect(outcomes.map((o) => o.result)).toEqual(['ok', 'endpoint_not_found', 'ok']);
  });
});

// PostgreSQL closes connections on its own: on a restart, a failover, or an administrator's
// pg_terminate_backend. Shipline must carry on with fresh connections, not crash.
describe.each(DIALECTS.filter((d) => d === 'postgres'))('connections closed by the %s server', (dialect) => {
  let database: TestDatabase;
  let store: Store;

  beforeAll(async () => {
    database = await freshDatabase(dialect);
    store = openStore(database.options);
    await store.migrate();
  });
  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  it('survives its idle pooled connections being terminated, and keeps working', async () => {
    // Several queries at once leave several idle connections in the pool.
    await Promise.all(Array.from({ length: 5 }, () => store.services.list({ limit: 1 })));
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    try {
      const name = new URL(database.options.databaseUrl!).pathname.slice(1);
      const terminated = await admin.query<{ n: string }>(
        'SELECT count(*) AS n FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()) t',
        [name],
      );
      expect(Number(terminated.rows[0]!.n)).toBeGreaterThan(0);
    } finally {
      await admin.end();
    }
    // An unhandled 'error' event from the pool would fail this file; the store answers on.
    await expect.poll(async () => (await store.services.list({ limit: 1 })).items.length, { timeout: 10_000 }).toBe(0);
  });
});
