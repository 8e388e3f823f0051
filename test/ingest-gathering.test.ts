// On SQLite, a batch of deploys that follows a busy one waits briefly for the clients just
// answered to send again, so 50 connections commit together instead of splitting into two
// groups that take turns (each commit rewrites the right edge of every index: fewer, larger
// commits write fewer bytes per deploy). A lone request is never held. See decision 0036.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDeployPayload } from '../src/core/deploy-payload.js';
import type { DeployInput } from '../src/core/deploy-payload.js';
import { DeployIngest } from '../src/store/deploy-ingest.js';
import type { SqlRunner } from '../src/store/database.js';
import { openStore } from '../src/store/index.js';
import type { Store } from '../src/store/index.js';
import type { TestDatabase } from './support/databases.js';
import { freshDatabase } from './support/databases.js';
import { seedPayload } from './support/app.js';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('deploy batches on SQLite', () => {
  let database: TestDatabase;
  let store: Store;
  let endpointId: string;
  let n = 0;

  beforeAll(async () => {
    database = await freshDatabase('sqlite');
    store = openStore(database.options);
    await store.migrate();
    endpointId = (await store.endpoints.create('ci')).id;
  });
  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  const input = (): DeployInput => {
    const parsed = parseDeployPayload(seedPayload({ dedup_id: `gather-${++n}` }));
    if (!parsed.ok) throw new Error('seed payload invalid');
    return parsed.input;
  };

  /** An ingest whose commits record how many deploys each held. */
  function countingIngest(gatherMs: number): { ingest: DeployIngest; commits: number[] } {
    const commits: number[] = [];
    const commit = <T>(work: (run: SqlRunner) => Promise<T>) =>
      store.db.transaction(async (run) => {
        const outcomes = await work(run);
        commits.push((outcomes as unknown[]).length);
        return outcomes;
      });
    return { ingest: new DeployIngest(store.db, store.events, commit, undefined, { gatherMs }), commits };
  }

  it('holds the batch after a busy one until as many clients are back, arriving over several turns', async () => {
    // A window no test run reaches: only the count of returning deploys ends the wait.
    const { ingest, commits } = countingIngest(60_000);
    const first = await Promise.all(Array.from({ length: 16 }, () => ingest.record(endpointId, input())));
    expect(first.every((o) => o.result === 'no_service_found')).toBe(true);
    // The 16 clients come back one per event-loop turn, as answered HTTP clients do.
    const second: Array<Promise<unknown>> = [];
    for (let i = 0; i < 16; i++) {
      second.push(ingest.record(endpointId, input()));
      await nextTurn();
    }
    await Promise.all(second);
    expect(commits).toEqual([16, 16]);
  });

  it('flushes a lone request at once after a quiet batch, and after a busy one when the window ends', async () => {
    const { ingest, commits } = countingIngest(60_000);
    // A batch below the threshold holds nothing: with a window of a minute, this would time out.
    await ingest.record(endpointId, input());
    await ingest.record(endpointId, input());
    expect(commits).toEqual([1, 1]);

    const short = countingIngest(5);
    await Promise.all(Array.from({ length: 10 }, () => short.ingest.record(endpointId, input())));
    // Nine of the ten clients never come back: the window ends and the one that did is committed.
    await short.ingest.record(endpointId, input());
    expect(short.commits).toEqual([10, 1]);
  });
});
