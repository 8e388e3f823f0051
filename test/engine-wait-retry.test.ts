import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Action } from '../src/engine/action.js';
import { NonRetriableError } from '../src/engine/action.js';
import { DIALECTS } from './support/databases.js';
import type { EngineTestApp } from './support/runtime.js';
import { startEngineApp } from './support/runtime.js';
import { eventually } from './support/sink.js';

/**
 * A waiting step whose poll or resume fails on something passing (a refused connection, a 500)
 * keeps waiting and the engine tries again with backoff: only the awaited work's own outcome,
 * the wait's deadline or a cancel ends it. Driven by a test action whose failures each test scripts.
 */

interface Plan {
  /** How polls answer: throw a passing error, throw a NonRetriableError, report pending, or finish. */
  poll: 'fail' | 'final' | 'pending' | 'done';
  /** How many resumes throw before one succeeds. */
  resumeFailures: number;
  polls: number;
  resumes: number;
}
const plans = new Map<string, Plan>();
const plan = (id: string, patch: Partial<Plan>): Plan => {
  const p: Plan = { poll: 'pending', resumeFailures: 0, polls: 0, resumes: 0, ...patch };
  plans.set(id, p);
  return p;
};

const flakyWait: Action<{ id: string; deadline?: boolean }> = {
  name: 'test.flakyWait',
  description: 'Waits on flaky:<id>, polling every 50 ms; its failures are scripted per id.',
  channels: ['success', 'failed'],
  config: Type.Object({ id: Type.String(), deadline: Type.Optional(Type.Boolean()) }),
  exampleOutput: {},
  async run(ctx, config) {
    const deadline = config.deadline === false ? {} : { deadline: new Date(ctx.now().getTime() + 30_000).toISOString() };
    return { wait: true, correlate: [`flaky:${config.id}`], pollEveryMs: 50, ...deadline, state: { id: config.id } };
  },
  async resume(_ctx, config, _state, cause) {
    const p = plans.get(config.id)!;
    p.resumes += 1;
    if (cause.kind !== 'event') return { channel: 'failed', output: { reason: cause.kind } };
    if (p.resumeFailures > 0) {
      p.resumeFailures -= 1;
      throw new Error('connect ECONNREFUSED 127.0.0.1:9');
    }
    return { channel: 'success', output: { by: 'event', resumes: p.resumes } };
  },
  async poll(_ctx, config) {
    const p = plans.get(config.id)!;
    p.polls += 1;
    if (p.poll === 'fail') throw new Error('Octopus answered 500');
    if (p.poll === 'final') throw new NonRetriableError('Octopus answered 404');
    if (p.poll === 'pending') return 'pending';
    return { channel: 'success', output: { by: 'poll', polls: p.polls } };
  },
};

describe.each(DIALECTS)('a waiting step whose poll or resume fails on %s', (dialect) => {
  let t: EngineTestApp;

  beforeAll(async () => {
    t = await startEngineApp(dialect, { extraActions: [flakyWait as Action] });
  });
  afterAll(() => t.close());

  /** Applies a one-step reaction for `id` (fast backoff), starts it, and returns its run id once waiting. */
  async function waitingRun(id: string, extra: Record<string, unknown> = {}): Promise<string> {
    await t.applyReaction({
      name: `flaky-${id}`,
      on: { event: 'flaky.started', filter: { id } },
      steps: { wait: { uses: 'test.flakyWait', with: { id }, retry: { attempts: 2, initial: '50ms', max: '100ms' }, ...extra } },
    });
    await t.store.events.append({ type: 'flaky.started', source: 'test', data: { id } });
    return (await t.runReaching({ reaction: `flaky-${id}` }, ['waiting'])).id;
  }
  const stepRow = async (runId: string) => {
    const [row] = await t.store.db.transaction((run) =>
      run.query<{ status: string; attempt: number | string; wait_deadline: string | null }>(
        "SELECT status, attempt, wait_deadline FROM step_executions WHERE run_id = ? AND step_id = 'wait'",
        [runId],
      ),
    );
    return { status: row!.status, attempt: Number(row!.attempt), deadline: row!.wait_deadline };
  };
  const waitKeys = (runId: string) =>
    t.store.db.transaction((run) => run.query<{ key: string }>('SELECT key FROM wait_keys WHERE run_id = ?', [runId]));
  const jobsOf = (runId: string) =>
    t.store.db.transaction((run) => run.query<{ kind: string }>('SELECT kind FROM jobs WHERE run_id = ?', [runId]));
  const endEvents = async (runId: string) => {
    const rows = await t.store.db.transaction((run) =>
      run.query<{ data: string }>("SELECT data FROM events WHERE type IN ('run.succeeded', 'run.failed')"),
    );
    return rows.filter((r) => (JSON.parse(r.data) as { runId: string }).runId === runId).length;
  };

  it('keeps waiting through failed polls (status, keys, deadline, attempt) and ends on the poll that answers', async () => {
    const p = plan('polls', { poll: 'fail' });
    const runId = await waitingRun('polls');
    const before = await stepRow(runId);
    // More failures than the step's two attempts: poll failures are not attempts.
    await eventually(async () => (p.polls >= 3 ? true : undefined));
    expect(await stepRow(runId)).toEqual({ status: 'waiting', attempt: 1, deadline: before.deadline });
    expect(before.deadline).not.toBeNull();
    expect((await waitKeys(runId)).map((k) => k.key)).toEqual(['flaky:polls']);
    expect((await jobsOf(runId)).map((j) => j.kind).sort()).toEqual(['poll', 'timeout']);
    p.poll = 'done';
    const run = await t.runReaching({ reaction: 'flaky-polls' }, ['succeeded', 'failed']);
    expect(run.status).toBe('succeeded');
    expect(run.steps[0]).toMatchObject({ channel: 'success', attempt: 1, output: { by: 'poll' } });
    expect(run.steps[0]!.logs.join('\n')).toContain('still waiting, trying again');
  });

  it('retries a resume that fails, and ends the step once', async () => {
    const p = plan('resume', { resumeFailures: 2 });
    const runId = await waitingRun('resume');
    await t.store.events.append({ type: 'flaky.finished', source: 'test', data: {}, correlate: ['flaky:resume'] });
    const run = await t.runReaching({ reaction: 'flaky-resume' }, ['succeeded', 'failed']);
    expect(run.steps[0]).toMatchObject({ channel: 'success', attempt: 1, output: { by: 'event', resumes: 3 } });
    expect(p.resumes).toBe(3);
    expect(await endEvents(runId)).toBe(1);
  });

  it('resumes exactly once on an event that arrives while a failed poll waits for its retry', async () => {
    const p = plan('webhook', { poll: 'fail' });
    const runId = await waitingRun('webhook');
    await eventually(async () => (p.polls >= 2 ? true : undefined));
    await t.store.events.append({ type: 'flaky.finished', source: 'test', data: {}, correlate: ['flaky:webhook'] });
    await t.store.events.append({ type: 'flaky.finished', source: 'test', data: { again: true }, correlate: ['flaky:webhook'] });
    const run = await t.runReaching({ reaction: 'flaky-webhook' }, ['succeeded', 'failed']);
    expect(run.steps[0]).toMatchObject({ channel: 'success', output: { by: 'event' } });
    // Ending the step removed its retried poll and its timers. A resume queued by the second event
    // in a transaction that overlapped the end (PostgreSQL, read committed) is discarded by the
    // worker that claims it: either way nothing is left to run the step again.
    await eventually(async () => ((await jobsOf(runId)).length === 0 ? true : undefined), 15_000, 'no jobs left for the run');
    expect(await endEvents(runId)).toBe(1);
    expect((await stepRow(runId)).status).toBe('succeeded');
  });

  it('fails at once on a NonRetriableError from the poll', async () => {
    const p = plan('final', { poll: 'final' });
    await waitingRun('final');
    const run = await t.runReaching({ reaction: 'flaky-final' }, ['succeeded', 'failed']);
    expect(run.steps[0]).toMatchObject({ channel: 'failed', error: 'Octopus answered 404' });
    expect(p.polls).toBe(1);
  });

  it('gives up after the step timeout when the wait has no deadline', async () => {
    const p = plan('endless', { poll: 'fail' });
    await t.applyReaction({
      name: 'flaky-endless',
      on: { event: 'flaky.started', filter: { id: 'endless' } },
      steps: {
        wait: {
          uses: 'test.flakyWait',
          with: { id: 'endless', deadline: false },
          retry: { initial: '50ms', max: '100ms' },
          timeout: '600ms',
        },
      },
    });
    await t.store.events.append({ type: 'flaky.started', source: 'test', data: { id: 'endless' } });
    const run = await t.runReaching({ reaction: 'flaky-endless' }, ['succeeded', 'failed']);
    expect(run.steps[0]).toMatchObject({ channel: 'failed', error: 'Octopus answered 500' });
    expect(p.polls).toBeGreaterThan(2);
  });
});
