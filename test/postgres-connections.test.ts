import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../src/store/index.js';
import type { Store } from '../src/store/index.js';
import type { TestDatabase } from './support/databases.js';
import { DIALECTS, POSTGRES_URL, freshDatabase } from './support/databases.js';

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
