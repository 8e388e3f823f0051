import { Type } from 'typebox';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { validateReaction } from '../src/core/reactions/document.js';
import type { Action } from '../src/engine/action.js';
import { Engine } from '../src/engine/engine.js';
import { ActionRegistry } from '../src/engine/registry.js';
import type { SqlRunner } from '../src/store/database.js';
import type { LocalLane } from '../src/store/engine/dispatch.js';
import type { ClaimedJob } from '../src/store/engine/jobs.js';
import { claimJobs } from '../src/store/engine/jobs.js';
import { openStore } from '../src/store/index.js';
import type { Store } from '../src/store/index.js';
import type { TestDatabase } from './support/databases.js';
import { DIALECTS, freshDatabase } from './support/databases.js';
import { TEST_MASTER_KEY } from './support/runtime.js';
import { eventually } from './support/sink.js';

/** Runs until `gate` opens (or its run is aborted), then ends on `success`; notes each start. */
function gatedAction(started: string[], gate: () => Promise<void>): Action {
  return {
    name: 'test.gated',
    description: 'Waits for the test to let it end.',
    channels: ['success', 'failed'],
    config: Type.Object({}),
    exampleOutput: null,
    run: async (ctx) => {
      started.push(`${ctx.runId}:${ctx.stepId}:${ctx.attempt}`);
      await gate();
      return { channel: 'success', output: { ok: true } };
    },
  };
}

/** A process that takes the steps handed to it and dies before running them. */
class DeadLane implements LocalLane {
  readonly owner = 'engine-dead';
  constructor(readonly leaseMs: number) {}
  reserve(wanted: number): number {
    return wanted;
  }
  take(_jobs: ClaimedJob[]): void {}
  release(): void {}
}

type StepRow = { step_id: string; status: string; attempt: number | string };
type LeaseRow = { status: string; lease_step: string | null; locked_by: string | null; locked_until: string | null };

describe.each(DIALECTS)("a run's first step leased by its run's row, on %s", (dialect) => {
  let database: TestDatabase;
  let store: Store;
  let engine: Engine | undefined;
  let open: () => void = () => undefined;
  let gate: Promise<void> = Promise.resolve();
  const started: string[] = [];

  beforeAll(async () => {
    database = await freshDatabase(dialect);
    store = openStore({ ...database.options, masterKey: TEST_MASTER_KEY });
    await store.migrate();
    const document = { name: 'leased', on: { event: 'webhook.leased' }, steps: { work: { uses: 'test.gated', with: {} } } };
    const result = validateReaction(document, { applying: true });
    if (!result.ok) throw new Error(result.problems.join('; '));
    await store.reactions.apply(result.reaction, document);
  });
  afterEach(async () => {
    open();
    await engine?.stop(1000);
    engine = undefined;
    store.dispatcher.setLane(undefined);
  });
  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  const closeGate = () => {
    gate = new Promise<void>((resolve) => (open = resolve));
  };
  const startEngine = async (leaseMs: number) => {
    engine = new Engine(
      {
        store,
        registry: new ActionRegistry([gatedAction(started, () => gate)]),
        http: undefined as never,
        publicUrl: () => 'http://127.0.0.1:1',
        recordDeploy: () => Promise.reject(new Error('unused')),
        scriptEnv: () => ({}) as never,
      },
      { workers: 4, pollMs: 50, leaseMs },
    );
    await engine.start();
  };
  const query = <R>(sql: string, params: unknown[]) => store.db.transaction((run) => run.query<R>(sql, params));
  const stepsOf = (runId: string) => query<StepRow>('SELECT step_id, status, attempt FROM step_executions WHERE run_id = ?', [runId]);
  const leaseOf = async (runId: string) =>
    (await query<LeaseRow>('SELECT status, lease_step, locked_by, locked_until FROM runs WHERE id = ?', [runId]))[0]!;
  const runFor = async (n: number) => {
    const event = (await store.events.append({ type: 'webhook.leased', source: 'test', data: { n } }))!;
    return (await query<{ id: string }>('SELECT id FROM runs WHERE event_id = ?', [event.id]))[0]!.id;
  };
  const runEvents = (runId: string) =>
    query<{ type: string }>("SELECT type FROM events WHERE type LIKE 'run.%' AND data LIKE ?", [`%${runId}%`]);

  it('has no row while it runs, shows running in the run view, renews its run lease, and is stored once ended', async () => {
    closeGate();
    const leaseMs = 300;
    await startEngine(leaseMs);
    const runId = await runFor(1);
    await eventually(async () => (started.includes(`${runId}:work:1`) ? true : undefined), 10_000, 'the step to start');
    expect(await stepsOf(runId)).toEqual([]);
    const first = await leaseOf(runId);
    expect(first).toMatchObject({ status: 'running', lease_step: 'work', locked_by: engine!.owner });
    const view = await store.runs.get(runId);
    expect(view.steps).toMatchObject([{ id: 'work', status: 'running', attempt: 1, idempotencyKey: `${runId}:work`, finishedAt: null }]);
    // Renewed past the lease it was handed with, so no other process takes it over meanwhile.
    await eventually(
      async () => {
        const now = Date.now();
        const lease = await leaseOf(runId);
        return now > Date.parse(first.locked_until!) && Date.parse(lease.locked_until!) > now ? true : undefined;
      },
      10_000,
      'the lease renewed past its first end',
    );
    expect(await claimJobs(store.db, 'engine-other', 10, leaseMs)).toEqual([]);
    expect(await stepsOf(runId)).toEqual([]);
    open();
    await eventually(async () => ((await leaseOf(runId)).status === 'succeeded' ? true : undefined), 10_000, 'the run to succeed');
    expect((await stepsOf(runId)).map((s) => ({ ...s, attempt: Number(s.attempt) }))).toEqual([
      { step_id: 'work', status: 'succeeded', attempt: 1 },
    ]);
    expect(await leaseOf(runId)).toMatchObject({ locked_by: null, locked_until: null });
    expect((await runEvents(runId)).map((e) => e.type)).toEqual(['run.succeeded']);
  });

  it('is taken over, as a new attempt, once the lease of a process that died mid-step runs out', async () => {
    open();
    store.dispatcher.setLane(new DeadLane(200));
    const runId = await runFor(2);
    store.dispatcher.setLane(undefined);
    expect(await stepsOf(runId)).toEqual([]);
    expect(await leaseOf(runId)).toMatchObject({ locked_by: 'engine-dead' });
    await startEngine(30_000);
    await eventually(async () => ((await leaseOf(runId)).status === 'succeeded' ? true : undefined), 10_000, 'the run to succeed');
    expect(started.filter((s) => s.startsWith(`${runId}:`))).toEqual([`${runId}:work:2`]);
    expect((await stepsOf(runId)).map((s) => ({ ...s, attempt: Number(s.attempt) }))).toEqual([
      { step_id: 'work', status: 'succeeded', attempt: 2 },
    ]);
    expect((await runEvents(runId)).map((e) => e.type)).toEqual(['run.succeeded']);
  });

  it('is cancelled with its run while it runs, and its outcome does not undo the cancel', async () => {
    closeGate();
    // Counts outcome commits, to know when the step's one is done.
    const submit = store.commits.submit.bind(store.commits);
    let committed = 0;
    store.commits.submit = <T>(work: (run: SqlRunner) => Promise<T>) => submit(work).finally(() => committed++);
    try {
      await startEngine(30_000);
      const runId = await runFor(3);
      await eventually(async () => (started.includes(`${runId}:work:1`) ? true : undefined), 10_000, 'the step to start');
      // Cancelled without aborting the step (as when another process runs it): it ends on success.
      const cancelled = await store.runs.cancel(runId);
      expect(cancelled).toMatchObject({ status: 'cancelled', steps: [{ id: 'work', status: 'cancelled', attempt: 1 }] });
      const before = committed;
      open();
      await eventually(async () => (committed > before ? true : undefined), 10_000, "the step's outcome commit");
      expect(await leaseOf(runId)).toMatchObject({ status: 'cancelled', locked_by: null });
      expect((await stepsOf(runId)).map((s) => ({ ...s, attempt: Number(s.attempt) }))).toEqual([
        { step_id: 'work', status: 'cancelled', attempt: 1 },
      ]);
      expect((await runEvents(runId)).map((e) => e.type)).toEqual(['run.cancelled']);
    } finally {
      store.commits.submit = submit;
    }
  });
});
