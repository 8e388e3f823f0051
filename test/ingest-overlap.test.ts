// On SQLite a deploy batch may commit while the previous batch's WAL sync runs; each is answered
// only after a sync begun after its own commit, and after every sync begun before it ended well.
// See decision 0048 (the transaction-level order is pinned in src/store/wal-sync.test.ts).
import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseDeployPayload } from '../src/core/deploy-payload.js';
import type { DeployInput } from '../src/core/deploy-payload.js';
import { openStore } from '../src/store/index.js';
import type { Store } from '../src/store/index.js';
import type { TestDatabase } from './support/databases.js';
import { freshDatabase } from './support/databases.js';
import { seedPayload } from './support/app.js';

const waitFor = async (what: () => boolean) => {
  const deadline = Date.now() + 5_000;
  while (!what()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setImmediate(resolve));
  }
};
/** For checks that something has not happened: a few turns of the event loop and a little time. */
const aWhile = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('deploy batches overlapping the previous sync on SQLite', () => {
  let database: TestDatabase;
  let store: Store;
  let endpointId: string;
  let n = 0;
  let syncs: Array<(err: NodeJS.ErrnoException | null) => void>;

  beforeEach(async () => {
    database = await freshDatabase('sqlite');
    store = openStore(database.options);
    await store.migrate();
    endpointId = (await store.endpoints.create('ci')).id;
    syncs = [];
    // Each sync is held until the test lets it finish.
    vi.spyOn(fs, 'fdatasync').mockImplementation(((_fd: number, done: (err: NodeJS.ErrnoException | null) => void) => {
      syncs.push(done);
    }) as typeof fs.fdatasync);
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await store.close();
    await database.drop();
  });

  const input = (): DeployInput => {
    const parsed = parseDeployPayload(seedPayload({ dedup_id: `overlap-${++n}` }));
    if (!parsed.ok) throw new Error('seed payload invalid');
    return parsed.input;
  };
  const send = (count: number) => {
    let answered = 0;
    const all = Promise.all(Array.from({ length: count }, () => store.ingest.record(endpointId, input()).then(() => answered++)));
    return { all, answered: () => answered };
  };

  it('commits the next batch during the sync and answers both only once both syncs ended', async () => {
    const first = send(2);
    await waitFor(() => syncs.length === 1);
    const second = send(8);
    await waitFor(() => syncs.length === 2); // committed while the first sync runs
    syncs[1]!(null);
    await aWhile();
    expect([first.answered(), second.answered()]).toEqual([0, 0]);
    syncs[0]!(null);
    await Promise.all([first.all, second.all]);
  });

  it('keeps a batch too small to pay for a commit of its own waiting for the sync', async () => {
    const first = send(2);
    await waitFor(() => syncs.length === 1);
    const second = send(3);
    await aWhile();
    expect(syncs).toHaveLength(1);
    syncs[0]!(null);
    await first.all;
    await waitFor(() => syncs.length === 2);
    syncs[1]!(null);
    await second.all;
  });

  it('does not overlap while other work writes through the shared commit (the engine)', async () => {
    // An outcome of the engine a moment ago: its next claims and outcomes would wait for two syncs.
    await store.commits.submit((run) => run.query('SELECT 1'));
    const first = send(2);
    await waitFor(() => syncs.length === 1);
    const second = send(8);
    await aWhile();
    expect(syncs).toHaveLength(1);
    syncs[0]!(null);
    await first.all;
    await waitFor(() => syncs.length === 2);
    syncs[1]!(null);
    await second.all;
  });
});
