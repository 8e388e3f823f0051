import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateReaction } from '../src/core/reactions/document.js';
import type { LocalLane } from '../src/store/engine/dispatch.js';
import type { ClaimedJob } from '../src/store/engine/jobs.js';
import { claimJobs } from '../src/store/engine/jobs.js';
import { openStore } from '../src/store/index.js';
import type { Store } from '../src/store/index.js';
import type { TestDatabase } from './support/databases.js';
import { DIALECTS, freshDatabase } from './support/databases.js';
import { TEST_MASTER_KEY } from './support/runtime.js';

/** A process's engine as the dispatcher sees it, with `spare` workers; records what it is given. */
class Lane implements LocalLane {
  readonly owner = 'engine-here';
  readonly leaseMs = 30_000;
  taken: ClaimedJob[] = [];
  released = 0;
  constructor(public spare: number) {}
  reserve(wanted: number): number {
    const count = Math.min(wanted, this.spare);
    this.spare -= count;
    return count;
  }
  take(jobs: ClaimedJob[]): void {
    this.taken.push(...jobs);
  }
  release(count: number): void {
    this.released += count;
    this.spare += count;
  }
}

type StepRow = { run_id: string; step_id: string; status: string; attempt: number | string; locked_by: string | null };

describe.each(DIALECTS)('first steps handed to the process that queues them, on %s', (dialect) => {
  let database: TestDatabase;
  let store: Store;

  beforeAll(async () => {
    database = await freshDatabase(dialect);
    store = openStore({ ...database.options, masterKey: TEST_MASTER_KEY });
    await store.migrate();
    const document = { name: 'handed', on: { event: 'webhook.hand' }, steps: { note: { uses: 'log', with: { message: '{{ data.n }}' } } } };
    const result = validateReaction(document, { applying: true });
    if (!result.ok) throw new Error(result.problems.join('; '));
    await store.reactions.apply(result.reaction, document);
  });
  afterAll(async () => {
    store.dispatcher.setLane(undefined);
    await store.close();
    await database.drop();
  });

  const stepsOf = (runId: string) =>
    store.db.transaction((run) =>
      run.query<StepRow>('SELECT run_id, step_id, status, attempt, locked_by FROM step_executions WHERE run_id = ?', [runId]),
    );
  const runOf = async (eventId: string) =>
    (await store.db.transaction((run) => run.query<{ id: string }>('SELECT id FROM runs WHERE event_id = ?', [eventId])))[0]!.id;

  it('inserts the first step claimed by a process with a spare worker and hands it over once committed', async () => {
    const lane = new Lane(1);
    store.dispatcher.setLane(lane);
    const event = (await store.events.append({ type: 'webhook.hand', source: 'test', data: { n: 1 } }))!;
    const runId = await runOf(event.id);
    const [step] = await stepsOf(runId);
    expect({ ...step, attempt: Number(step!.attempt) }).toMatchObject({ status: 'running', attempt: 1, locked_by: 'engine-here' });
    expect(lane.taken).toHaveLength(1);
    expect(lane.taken[0]).toMatchObject({
      id: `step:${runId}:note`,
      kind: 'step',
      runId,
      stepId: 'note',
      step: { status: 'running', attempt: 1, logs: [], attempts: [] },
      event: { id: event.id, type: 'webhook.hand', data: { n: 1 } },
      outputs: {},
    });
    // Leased: no other process claims it while the lease holds; once it ran out (this process
    // died), another does, as a new attempt.
    expect(await claimJobs(store.db, 'engine-other', 10, 30_000)).toEqual([]);
    const later = await claimJobs(store.db, 'engine-other', 10, 30_000, new Date(Date.now() + 60_000));
    expect(later.map((j) => [j.id, j.step.attempt])).toEqual([[`step:${runId}:note`, 2]]);
  });

  it('queues the step for any process when this one has no spare worker', async () => {
    const lane = new Lane(0);
    store.dispatcher.setLane(lane);
    const event = (await store.events.append({ type: 'webhook.hand', source: 'test', data: { n: 2 } }))!;
    const [step] = await stepsOf(await runOf(event.id));
    expect({ ...step, attempt: Number(step!.attempt) }).toMatchObject({ status: 'pending', attempt: 0, locked_by: null });
    expect(lane.taken).toEqual([]);
    const claimed = await claimJobs(store.db, 'engine-other', 10, 30_000);
    expect(claimed.map((j) => [j.runId, j.step.attempt])).toEqual([[step!.run_id, 1]]);
  });

  it('gives the worker back when the transaction rolls back, handing nothing over', async () => {
    const lane = new Lane(1);
    store.dispatcher.setLane(lane);
    await expect(
      store.db.transaction(async (run) => {
        await store.events.appendIn(run, [{ type: 'webhook.hand', source: 'test', data: { n: 3 } }]);
        throw new Error('undone');
      }),
    ).rejects.toThrow('undone');
    expect(lane.taken).toEqual([]);
    expect(lane.released).toBe(1);
    expect(lane.spare).toBe(1);
  });
});
