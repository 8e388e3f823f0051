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
    const pair = {
      name: 'paired',
      on: { event: 'webhook.pair' },
      steps: { one: { uses: 'log', with: { message: 'one' } }, two: { uses: 'log', with: { message: 'two' } } },
    };
    const paired = validateReaction(pair, { applying: true });
    if (!paired.ok) throw new Error(paired.problems.join('; '));
    await store.reactions.apply(paired.reaction, pair);
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
  const leaseOf = async (runId: string) =>
    (
      await store.db.transaction((run) =>
        run.query<{ lease_step: string | null; locked_by: string | null }>('SELECT lease_step, locked_by FROM runs WHERE id = ?', [runId]),
      )
    )[0];
  const runOf = async (eventId: string) =>
    (await store.db.transaction((run) => run.query<{ id: string }>('SELECT id FROM runs WHERE event_id = ?', [eventId])))[0]!.id;

  it("leaves a run's only first step unstored, its lease on the run's row, and hands it over once committed", async () => {
    const lane = new Lane(1);
    store.dispatcher.setLane(lane);
    const event = (await store.events.append({ type: 'webhook.hand', source: 'test', data: { n: 1 } }))!;
    const runId = await runOf(event.id);
    expect(await stepsOf(runId)).toEqual([]);
    expect(await leaseOf(runId)).toMatchObject({ lease_step: 'note', locked_by: 'engine-here' });
    expect(lane.taken).toHaveLength(1);
    expect(lane.taken[0]).toMatchObject({
      id: `step:${runId}:note`,
      kind: 'step',
      runId,
      stepId: 'note',
      step: { status: 'running', attempt: 1, logs: [], attempts: [] },
      event: { id: event.id, type: 'webhook.hand', data: { n: 1 } },
      outputs: {},
      leasedBy: 'engine-here',
    });
    // The run view shows it running all the same.
    const view = await store.runs.get(runId);
    expect(view.steps).toMatchObject([{ id: 'note', status: 'running', attempt: 1, startedAt: view.startedAt, finishedAt: null }]);
    // Leased: no other process claims it while the lease holds; once it ran out (this process
    // died), another stores and claims it, as a new attempt.
    expect(await claimJobs(store.db, 'engine-other', 10, 30_000)).toEqual([]);
    expect(await stepsOf(runId)).toEqual([]);
    const later = await claimJobs(store.db, 'engine-other', 10, 30_000, new Date(Date.now() + 60_000));
    expect(later.map((j) => [j.id, j.step.attempt, j.leasedBy])).toEqual([[`step:${runId}:note`, 2, undefined]]);
    const [step] = await stepsOf(runId);
    expect({ ...step, attempt: Number(step!.attempt) }).toMatchObject({ status: 'running', attempt: 2, locked_by: 'engine-other' });
    expect(await leaseOf(runId)).toMatchObject({ lease_step: 'note', locked_by: null });
  });

  it('inserts the first steps of a run with several claimed, as a claim would leave them', async () => {
    const lane = new Lane(2);
    store.dispatcher.setLane(lane);
    const event = (await store.events.append({ type: 'webhook.pair', source: 'test', data: { n: 1 } }))!;
    const runId = await runOf(event.id);
    const steps = (await stepsOf(runId)).map((s) => ({ ...s, attempt: Number(s.attempt) }));
    expect(steps.sort((a, b) => a.step_id.localeCompare(b.step_id))).toMatchObject([
      { step_id: 'one', status: 'running', attempt: 1, locked_by: 'engine-here' },
      { step_id: 'two', status: 'running', attempt: 1, locked_by: 'engine-here' },
    ]);
    expect(await leaseOf(runId)).toMatchObject({ lease_step: null, locked_by: null });
    expect(lane.taken.map((j) => j.leasedBy)).toEqual([undefined, undefined]);
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
