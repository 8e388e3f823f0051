import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDeployPayload } from '../src/core/deploy-payload.js';
import { openStore } from '../src/store/index.js';
import type { Store } from '../src/store/index.js';
import type { TestDatabase } from './support/databases.js';
import { freshDatabase } from './support/databases.js';
import { seedPayload } from './support/app.js';

// A 202 promises the deploy survives a power loss, not only a crash of the process. kill -9
// cannot tell (the OS keeps what was written), so the settings that make it true are pinned here.
describe('the embedded SQLite store', () => {
  let database: TestDatabase;
  let store: Store;

  beforeAll(async () => {
    database = await freshDatabase('sqlite');
    store = openStore(database.options);
    await store.migrate();
  });
  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  async function pragma(name: string): Promise<unknown> {
    const { rows } = await sql.raw<Record<string, unknown>>(`PRAGMA ${name}`).execute(store.db.kysely);
    return Object.values(rows[0] ?? {})[0];
  }

  it('runs in WAL mode with synchronous=FULL, also after ingesting', async () => {
    const endpoint = await store.endpoints.create('ci');
    const parsed = parseDeployPayload(seedPayload({ dedup_id: 'durable' }));
    if (!parsed.ok) throw new Error('seed payload invalid');
    expect((await store.ingest.record(endpoint.id, parsed.input)).result).toBe('no_service_found');
    expect(await pragma('journal_mode')).toBe('wal');
    expect(await pragma('synchronous')).toBe(2); // 2 = FULL: the WAL is fsynced at every commit
  });
});
