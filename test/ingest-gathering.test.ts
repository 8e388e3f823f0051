// On SQLite, the deploy batch after a busy one gathers the clients just answered while they come
// back, so closed-loop clients commit together instead of in two halves that take turns (each
// commit rewrites the right edge of every index). The wait is bounded in event-loop turns: a turn
// that brings nothing new ends it, so a steady stream of senders is never held for a timer.
// See decisions 0036 and 0044.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDeployPayload } from '../src/core/deploy-payload.js';
import type { DeployInput } from '../src/core/deploy-payload.js';
import { DeployIngest } from '../src/store/deploy-ingest.js';
import { GroupCommit } from '../src/store/group-commit.js';
import type { SqlRunner } from '../src/store/database.js';
import { openStore } from '../src/store/index.js';
import type { Store } from '../src/store/index.js';
import type { TestDatabase } from './support/databases.js';
import { freshDatabase } from './support/databases.js';
import { seedPayload } from './support/app.js';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
/** A window no test run reaches: only turns and counts end a wait. */
const NEVER = 60_000;

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

  /**
   * An ingest whose commits record how many deploys each held; `during` runs inside each commit
   * with its index. `shared`: a group commit it commits through and holds, as the store's ingest
   * does with the store's.
   */
  function countingIngest(gather: { windowMs: number; turns?: number; shared?: GroupCommit }, during?: (index: number) => void) {
    const commits: number[] = [];
    const count = async <T>(run: SqlRunner, work: (run: SqlRunner) => Promise<T>) => {
      const outcomes = await work(run);
      during?.(commits.length);
      commits.push((outcomes as unknown[]).length);
      return outcomes;
    };
    const commit = <T>(work: (run: SqlRunner) => Promise<T>) =>
      gather.shared ? gather.shared.submit((run) => count(run, work), { holder: true }) : store.db.transaction((run) => count(run, work));
    const ingest = new DeployIngest(store.db, store.events, commit, undefined, {
      ...gather,
      ...(gather.shared ? { hold: (interrupted: () => void) => gather.shared!.hold(interrupted) } : {}),
    });
    const send = (count: number) => Promise.all(Array.from({ length: count }, () => ingest.record(endpointId, input())));
    return { ingest, commits, send };
  }

  /** `count` clients sending one after another, `perTurn` in each event-loop turn. */
  async function comeBack(ingest: DeployIngest, count: number, perTurn: number): Promise<void> {
    const sent: Array<Promise<unknown>> = [];
    for (let i = 0; i < count; i++) {
      sent.push(ingest.record(endpointId, input()));
      if ((i + 1) % perTurn === 0) await nextTurn();
    }
    await Promise.all(sent);
  }

  it('holds the batch after a busy one while its clients come back over several turns', async () => {
    const { ingest, commits, send } = countingIngest({ windowMs: NEVER, turns: 32 });
    const first = await send(16);
    expect(first.every((o) => o.result === 'no_service_found')).toBe(true);
    await comeBack(ingest, 16, 1);
    expect(commits).toEqual([16, 16]);
  });

  it('ends the wait at the first turn that brings nothing new, not at the window', async () => {
    const { ingest, commits, send } = countingIngest({ windowMs: NEVER, turns: 32 });
    await send(16);
    // One client of sixteen comes back, then a turn passes with nothing: it is committed alone.
    await comeBack(ingest, 1, 1);
    expect(commits).toEqual([16, 1]);
  });

  it('ends the wait after its turns when a steady stream keeps bringing deploys', async () => {
    // A window for the last deploys of the stream, queued during a commit and followed by nothing.
    const { ingest, commits, send } = countingIngest({ windowMs: 20, turns: 4 });
    await send(16);
    await comeBack(ingest, 16, 1);
    expect(commits[0]).toBe(16);
    expect(commits[1]).toBeLessThan(16);
    expect(commits.reduce((a, b) => a + b, 0)).toBe(32);
  });

  it('flushes at once after a quiet batch, and ends at the window when no client comes back', async () => {
    const quiet = countingIngest({ windowMs: NEVER });
    // A batch below the threshold holds nothing: with a window of a minute, this would time out.
    await quiet.send(1);
    await quiet.send(1);
    expect(quiet.commits).toEqual([1, 1]);

    // A deploy queued while a batch of ten commits; none of the ten comes back.
    let late: Promise<unknown> | undefined;
    const lone = countingIngest({ windowMs: 5 }, (index) => {
      if (index === 0) late = lone.ingest.record(endpointId, input());
    });
    await lone.send(10);
    await late;
    expect(lone.commits).toEqual([10, 1]);
  });

  it('gives way at once to other work on the shared commit, and does not gather for a while after', async () => {
    // A deploy queued during each busy batch; with a window of a minute only other work ends a wait.
    let late: Promise<unknown> | undefined;
    // Other work keeps it from holding for a minute after: no run waits that long.
    const shared = new GroupCommit(store.db, undefined, NEVER);
    const { ingest, commits, send } = countingIngest({ windowMs: NEVER, shared }, (index) => {
      if (index % 2 === 0) late = ingest.record(endpointId, input());
    });
    await send(10);
    await nextTurn(); // the gathering has begun
    // The engine records a step's outcome: the gathering ends, and both share the next commit.
    const outcome = shared.submit((run) => run.query('SELECT 1'));
    await Promise.all([late, outcome]);
    expect(commits).toEqual([10, 1]);

    // Other work wrote a moment ago, so the batch after the next busy one is not held.
    await send(10);
    await late;
    expect(commits).toEqual([10, 1, 10, 1]);
  });
});
