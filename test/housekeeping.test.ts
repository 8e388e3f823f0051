import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Housekeeping } from '../src/engine/housekeeping.js';
import { openStore } from '../src/store/index.js';
import type { Store } from '../src/store/index.js';
import type { TestDatabase } from './support/databases.js';
import { DIALECTS, freshDatabase } from './support/databases.js';
import { TEST_MASTER_KEY } from './support/runtime.js';

const DAY = 24 * 60 * 60_000;
const NOW = new Date();
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();

describe.each(DIALECTS)('housekeeping on %s', (dialect) => {
  let database: TestDatabase;
  let store: Store;

  beforeEach(async () => {
    database = await freshDatabase(dialect);
    store = openStore({ ...database.options, masterKey: TEST_MASTER_KEY });
    await store.migrate();
  });
  afterEach(async () => {
    await store.close();
    await database.drop();
  });

  /** Stores a delivery received at `receivedAt`, processed then unless `pending`. */
  async function delivery(key: string, receivedAt: string, pending = false): Promise<void> {
    await store.db.transaction(async (run) => {
      const seq = await store.inbox.addIn(run, 'octopus:c1', key, { key }, receivedAt);
      if (!pending) await store.inbox.doneIn(run, seq!, receivedAt);
    });
  }

  async function inboxKeys(): Promise<string[]> {
    const rows = await store.db.transaction((run) => run.query<{ delivery_key: string }>('SELECT delivery_key FROM inbox ORDER BY seq'));
    return rows.map((r) => r.delivery_key);
  }

  it('drops processed deliveries older than the cut-off, never pending ones', async () => {
    await delivery('old-done', ago(8 * DAY));
    await delivery('old-pending', ago(8 * DAY), true);
    await delivery('recent-done', ago(DAY));

    expect(await store.inbox.prune(ago(7 * DAY))).toBe(1);
    expect(await inboxKeys()).toEqual(['old-pending', 'recent-done']);
    // A pending delivery stays pending: the sweep still finds it.
    expect((await store.inbox.pending('octopus:', 10)).map((i) => i.deliveryKey)).toEqual(['old-pending']);
  });

  it('drops a large backlog in chunks, all of it', async () => {
    await store.db.transaction(async (run) => {
      for (let i = 0; i < 250; i++) {
        const seq = await store.inbox.addIn(run, 'octopus:c1', `k${i}`, {}, ago(30 * DAY));
        await store.inbox.doneIn(run, seq!, ago(30 * DAY));
      }
    });
    await delivery('recent-done', ago(DAY));

    expect(await store.inbox.prune(ago(7 * DAY), 100)).toBe(250);
    expect(await inboxKeys()).toEqual(['recent-done']);
  });

  it('deletes expired key/value entries only', async () => {
    await store.kv.set('reaction:a', 'expired', 1, -1000);
    await store.kv.set('reaction:a', 'lasting', 2);
    await store.kv.set('reaction:a', 'later', 3, DAY);

    expect(await store.kv.pruneExpired(new Date().toISOString())).toBe(1);
    const keys = await store.db.transaction((run) => run.query<{ key: string }>('SELECT key FROM kv ORDER BY key'));
    expect(keys.map((r) => r.key)).toEqual(['lasting', 'later']);
    expect(await store.kv.get('reaction:a', 'lasting')).toBe(2);
  });

  it('keeps a week of processed deliveries in one pass', async () => {
    await delivery('eight-days', ago(8 * DAY));
    await delivery('six-days', ago(6 * DAY));
    await store.kv.set('reaction:a', 'expired', 1, -1000);

    expect(await new Housekeeping(store).runOnce()).toEqual({ inbox: 1, kv: 1 });
    expect(await inboxKeys()).toEqual(['six-days']);
  });

  it('runs by itself once started, and stops', async () => {
    await delivery('old-done', new Date(Date.now() - 30 * DAY).toISOString());
    const housekeeping = new Housekeeping(store, { everyMs: 20 });
    housekeeping.start();
    try {
      const deadline = Date.now() + 5000;
      while ((await inboxKeys()).length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(await inboxKeys()).toEqual([]);
    } finally {
      await housekeeping.stop();
    }
  });
});
