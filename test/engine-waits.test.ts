import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Action } from '../src/engine/action.js';
import { DIALECTS } from './support/databases.js';
import type { EngineTestApp } from './support/runtime.js';
import { startEngineApp } from './support/runtime.js';
import { eventually } from './support/sink.js';

/**
 * The general waiting-step machinery, driven by a test action: resumed by an event carrying its
 * correlation key, or by its poll reporting completion. (Approvals and the `wait` action are
 * covered in reactions-engine.test.ts.)
 */

let polls = 0;
const waitForRelease: Action<{ release: string; poll?: boolean; pollHourlyFromStored?: boolean }> = {
  name: 'test.awaitRelease',
  description: 'Waits for release.<id>.finished, or polls for it.',
  channels: ['success', 'failed'],
  config: Type.Object({
    release: Type.String(),
    poll: Type.Optional(Type.Boolean()),
    pollHourlyFromStored: Type.Optional(Type.Boolean()),
  }),
  exampleOutput: {},
  async run(ctx, config) {
    return {
      wait: true,
      correlate: [`release:${config.release}`],
      ...(config.poll ? { pollEveryMs: 50 } : {}),
      ...(config.pollHourlyFromStored ? { pollEveryMs: 3_600_000, pollWhenStored: true } : {}),
      deadline: new Date(ctx.now().getTime() + 20_000).toISOString(),
      state: { release: config.release },
    };
  },
  async resume(_ctx, _config, state, cause) {
    if (cause.kind !== 'event') return { channel: 'failed', output: { reason: cause.kind } };
    return { channel: 'success', output: { state, by: cause.event.type, data: cause.event.data } };
  },
  async poll(_ctx, _config, state) {
    return ++polls >= 3 ? { channel: 'success', output: { state, polls } } : 'pending';
  },
};

describe.each(DIALECTS)('waiting steps on %s', (dialect) => {
  let t: EngineTestApp;

  beforeAll(async () => {
    t = await startEngineApp(dialect, { extraActions: [waitForRelease as Action] });
    await t.applyReaction({
      name: 'await-release',
      on: { event: 'release.started' },
      steps: { wait: { uses: 'test.awaitRelease', with: { release: '{{ data.id }}' } } },
    });
  });
  afterAll(() => t.close());

  it('resumes when an event with the correlation key is stored', async () => {
    await t.store.events.append({ type: 'release.started', source: 'test', data: { id: 'R-1' } });
    const waiting = await t.runReaching({ reaction: 'await-release' }, ['waiting']);
    await t.store.events.append({ type: 'release.unrelated', source: 'test', data: {}, correlate: ['release:R-2'] });
    await t.store.events.append({ type: 'release.finished', source: 'test', data: { id: 'R-1', ok: true }, correlate: ['release:R-1'] });
    const run = await t.runReaching({ reaction: 'await-release' }, ['succeeded', 'failed']);
    expect(run.id).toBe(waiting.id);
    expect(run.steps[0]).toMatchObject({
      channel: 'success',
      output: { state: { release: 'R-1' }, by: 'release.finished', data: { id: 'R-1', ok: true } },
    });
  });

  it('resumes when the poll reports completion', async () => {
    polls = 0;
    await t.applyReaction({
      name: 'await-release',
      on: { event: 'release.started' },
      steps: { wait: { uses: 'test.awaitRelease', with: { release: '{{ data.id }}', poll: true } } },
    });
    await t.store.events.append({ type: 'release.started', source: 'test', data: { id: 'R-9' } });
    const run = await eventually(async () => {
      const newest = (await t.api({ method: 'GET', url: '/api/v1/runs?reaction=await-release&limit=1' })).json<{
        items: Array<{ id: string; status: string }>;
      }>().items[0]!;
      return newest.status === 'succeeded'
        ? (await t.api({ method: 'GET', url: `/api/v1/runs/${newest.id}` })).json<{ steps: unknown[] }>()
        : undefined;
    });
    expect(run.steps[0]).toMatchObject({ channel: 'success', output: { polls: 3 } });
  });

  it('polls once as soon as the wait is stored when the action asks, then at its interval', async () => {
    polls = 2; // the next poll reports completion
    await t.applyReaction({
      name: 'await-stored',
      on: { event: 'release.stored' },
      steps: { wait: { uses: 'test.awaitRelease', with: { release: '{{ data.id }}', pollHourlyFromStored: true } } },
    });
    await t.store.events.append({ type: 'release.stored', source: 'test', data: { id: 'R-5' } });
    // Polls an hour apart: only the one made when the wait was stored can end the run in time.
    const run = await t.runReaching({ reaction: 'await-stored' }, ['succeeded', 'failed']);
    expect(run.steps[0]).toMatchObject({ channel: 'success', output: { polls: 3 } });
  });
});
