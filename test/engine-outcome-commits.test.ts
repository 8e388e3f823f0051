import { Type } from 'typebox';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { validateReaction } from '../src/core/reactions/document.js';
import type { ReactionSpec } from '../src/core/reactions/document.js';
import type { Action } from '../src/engine/action.js';
import { Engine } from '../src/engine/engine.js';
import { ActionRegistry } from '../src/engine/registry.js';
import { claimJobs } from '../src/store/engine/jobs.js';
import { applyDecisions } from '../src/store/engine/outcome-batch.js';
import type { StepDecision } from '../src/store/engine/step-outcomes.js';
import type { SqlRunner } from '../src/store/database.js';
import { openStore } from '../src/store/index.js';
import type { Store } from '../src/store/index.js';
import type { TestDatabase } from './support/databases.js';
import { DIALECTS, freshDatabase } from './support/databases.js';
import { TEST_MASTER_KEY } from './support/runtime.js';
import { eventually } from './support/sink.js';

/** Ends on `success`, or on the channel the step's `with.channel` names; counts its runs. */
function noteAction(executed: string[]): Action {
  return {
    name: 'test.note',
    description: 'Notes that it ran.',
    channels: ['success', 'failed'],
    config: Type.Object({ n: Type.Optional(Type.String()) }),
    exampleOutput: null,
    run: (ctx) => {
      executed.push(`${ctx.runId}:${ctx.stepId}`);
      return Promise.resolve({ channel: 'success', output: { ok: true } });
    },
  };
}

async function applyReaction(store: Store, document: Record<string, unknown>): Promise<ReactionSpec> {
  const result = validateReaction(document, { applying: true });
  if (!result.ok) throw new Error(result.problems.join('; '));
  await store.reactions.apply(result.reaction, document);
  return result.reaction;
}

type RunRow = { status: string; error: string | null };
type EventRow = { type: string; data: string };

describe.each(DIALECTS)('outcome commits, on %s', (dialect) => {
  let database: TestDatabase;
  let store: Store;

  beforeAll(async () => {
    database = await freshDatabase(dialect);
    store = openStore({ ...database.options, masterKey: TEST_MASTER_KEY });
    await store.migrate();
  });
  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  const runsOf = (type: string) =>
    store.db.transaction((run) =>
      run.query<RunRow & { id: string }>('SELECT r.id, r.status, r.error FROM runs r JOIN events e ON e.id = r.event_id WHERE e.type = ?', [
        type,
      ]),
    );
  const runEvents = (runId: string) =>
    store.db.transaction((run) =>
      run.query<EventRow>("SELECT type, data FROM events WHERE type LIKE 'run.%' AND data LIKE ?", [`%${runId}%`]),
    );

  describe('a step whose outcome waits for its commit', () => {
    let engine: Engine | undefined;
    afterEach(async () => {
      await engine?.stop(1000);
      engine = undefined;
    });

    it('frees its worker: with one worker, the next step runs while the first outcome is not committed yet', async () => {
      await applyReaction(store, { name: 'gated', on: { event: 'webhook.gated' }, steps: { note: { uses: 'test.note', with: {} } } });
      const executed: string[] = [];
      // Outcome commits wait at this gate until it opens.
      let open!: () => void;
      const gate = new Promise<void>((resolve) => (open = resolve));
      const submit = store.commits.submit.bind(store.commits);
      let submitted = 0;
      store.commits.submit = <T>(work: (run: SqlRunner) => Promise<T>) => {
        submitted++;
        return gate.then(() => submit(work));
      };
      try {
        engine = new Engine(
          {
            store,
            registry: new ActionRegistry([noteAction(executed)]),
            http: undefined as never,
            publicUrl: () => 'http://127.0.0.1:1',
            recordDeploy: () => Promise.reject(new Error('unused')),
            scriptEnv: () => ({}) as never,
          },
          { workers: 1, pollMs: 100 },
        );
        await engine.start();
        await store.events.append({ type: 'webhook.gated', source: 'test', data: { n: 1 } });
        await eventually(async () => (executed.length === 1 ? true : undefined), 10_000, 'the first step to run');
        await store.events.append({ type: 'webhook.gated', source: 'test', data: { n: 2 } });
        // The first outcome is held at the gate; its worker ran the second step meanwhile.
        await eventually(async () => (executed.length === 2 ? true : undefined), 10_000, 'the second step to run before the first commit');
        expect(submitted).toBeGreaterThanOrEqual(1);
        open();
        const runs = await eventually(async () => {
          const rows = await runsOf('webhook.gated');
          return rows.length === 2 && rows.every((r) => r.status === 'succeeded') ? rows : undefined;
        });
        expect(runs).toHaveLength(2);
        // Each step ran once.
        expect(new Set(executed).size).toBe(2);
      } finally {
        open();
        store.commits.submit = submit;
      }
    });
  });

  describe('settling the runs of a set-based commit', () => {
    const decide = (
      job: { id: string; runId: string; stepId: string; step: { attempt: number } },
      spec: ReactionSpec,
      channel = 'success',
    ): StepDecision => ({
      kind: 'end',
      jobId: job.id,
      runId: job.runId,
      stepId: job.stepId,
      fence: { status: 'running', attempt: job.step.attempt },
      input: null,
      logs: [],
      attempts: [],
      channel,
      output: null,
      error: channel === 'failed' ? 'it failed' : null,
      spec,
    });
    const commit = (decisions: StepDecision[]) =>
      store.db.transaction((run) =>
        applyDecisions(run, decisions, { events: store.events, reactions: store.reactions }, new Date().toISOString()),
      );
    const claimAll = async (reaction: string) =>
      (await claimJobs(store.db, 'engine-test', 100, 30_000)).filter((j) => j.run.reaction === reaction);

    it('ends a one-step run from its step alone, failed or succeeded, with the step in its run event', async () => {
      const spec = await applyReaction(store, {
        name: 'single',
        on: { event: 'webhook.single' },
        steps: { only: { uses: 'test.note', with: {} } },
      });
      await store.events.append({ type: 'webhook.single', source: 'test', data: { n: 1 } });
      await store.events.append({ type: 'webhook.single', source: 'test', data: { n: 2 } });
      const jobs = await claimAll('single');
      expect(jobs).toHaveLength(2);
      expect(await commit([decide(jobs[0]!, spec), decide(jobs[1]!, spec, 'failed')])).toEqual([true, true]);
      const byId = new Map((await runsOf('webhook.single')).map((r) => [r.id, r]));
      expect(byId.get(jobs[0]!.runId)).toMatchObject({ status: 'succeeded', error: null });
      expect(byId.get(jobs[1]!.runId)).toMatchObject({ status: 'failed', error: 'step only failed' });
      const [ended] = await runEvents(jobs[1]!.runId);
      expect(ended!.type).toBe('run.failed');
      expect(JSON.parse(ended!.data)).toMatchObject({ steps: { only: { status: 'failed', channel: 'failed' } } });
    });

    it('keeps a run of parallel steps running until its last step ends, whether they end in one commit or in two', async () => {
      const spec = await applyReaction(store, {
        name: 'parallel',
        on: { event: 'webhook.parallel' },
        steps: { left: { uses: 'test.note', with: {} }, right: { uses: 'test.note', with: {} } },
      });
      await store.events.append({ type: 'webhook.parallel', source: 'test', data: { n: 1 } });
      await store.events.append({ type: 'webhook.parallel', source: 'test', data: { n: 2 } });
      const jobs = await claimAll('parallel');
      expect(jobs).toHaveLength(4);
      const [first, second] = [...new Set(jobs.map((j) => j.runId))];
      const of = (runId: string) => jobs.filter((j) => j.runId === runId);
      // The first run's steps end in two commits: after the first the run is still running.
      await commit([decide(of(first!)[0]!, spec)]);
      expect((await runsOf('webhook.parallel')).find((r) => r.id === first)!.status).toBe('running');
      // The second run's steps end in one commit together with the first run's last step.
      await commit([decide(of(first!)[1]!, spec), ...of(second!).map((j) => decide(j, spec))]);
      const runs = await runsOf('webhook.parallel');
      expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
      for (const runId of [first!, second!]) {
        const events = await runEvents(runId);
        expect(events.map((e) => e.type)).toEqual(['run.succeeded']);
        expect(Object.keys((JSON.parse(events[0]!.data) as { steps: object }).steps).sort()).toEqual(['left', 'right']);
      }
    });
  });
});
