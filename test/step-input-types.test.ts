import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Action } from '../src/engine/action.js';
import { DIALECTS } from './support/databases.js';
import type { EngineTestApp } from './support/runtime.js';
import { startEngineApp } from './support/runtime.js';

/** An action that reports what it was given, with the JavaScript type of each setting. */
const typed: Action<{ port: number; secure: boolean; retries?: number; label: string }> = {
  name: 'test.typed',
  description: 'Echoes its settings with their types.',
  channels: ['success', 'failed'],
  config: Type.Object({
    port: Type.Integer({ minimum: 1 }),
    secure: Type.Boolean(),
    retries: Type.Optional(Type.Number()),
    label: Type.String(),
  }),
  exampleOutput: {},
  async run(_ctx, config) {
    return {
      channel: 'success',
      output: Object.fromEntries(Object.entries(config).map(([key, value]) => [key, { value, type: typeof value }])),
    };
  },
};

// Templates render to text; a step's settings reach the action in the types the action declares.
describe.each(DIALECTS)('step inputs from templates on %s', (dialect) => {
  let t: EngineTestApp;

  beforeAll(async () => {
    t = await startEngineApp(dialect, { extraActions: [typed as Action] });
  });
  afterAll(() => t.close());

  it('converts rendered and literal text to the numbers and booleans the action declares, and leaves strings alone', async () => {
    await t.applyReaction({
      name: 'typed',
      on: { event: 'typed.test' },
      steps: {
        echo: {
          uses: 'test.typed',
          with: { port: '{{ data.port }}', secure: '{{ data.secure }}', retries: '3', label: '{{ data.port }}' },
        },
      },
    });
    await t.store.events.append({ type: 'typed.test', source: 'test', data: { port: 8443, secure: true } });
    const run = await t.runReaching({ reaction: 'typed' }, ['succeeded', 'failed']);
    expect(run.status, JSON.stringify(run.steps[0])).toBe('succeeded');
    expect(run.steps[0]!.output).toEqual({
      port: { value: 8443, type: 'number' },
      secure: { value: true, type: 'boolean' },
      retries: { value: 3, type: 'number' },
      label: { value: '8443', type: 'string' },
    });
  });

  it('shows the converted values in a dry run, as the step will get them', async () => {
    await t.applyReaction({
      name: 'typed-dry',
      on: { event: 'typed.dry' },
      steps: {
        echo: {
          uses: 'test.typed',
          with: { port: '{{ data.port }}', secure: '{{ data.secure }}', retries: '3', label: '{{ data.port }}' },
        },
      },
    });
    const res = await t.api({
      method: 'POST',
      url: '/api/v1/reactions/typed-dry/test',
      role: 'read',
      payload: { event: { type: 'typed.dry', data: { port: 8443, secure: false } } },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json<{ steps: Array<{ input: unknown }> }>().steps[0]!.input).toEqual({
      port: 8443,
      secure: false,
      retries: 3,
      label: '8443',
    });
  });

  it('still fails a step whose rendered value cannot be what the action declares', async () => {
    await t.applyReaction({
      name: 'typed-bad',
      on: { event: 'typed.bad' },
      steps: { echo: { uses: 'test.typed', with: { port: '{{ data.port }}', secure: 'true', label: 'x' } } },
    });
    await t.store.events.append({ type: 'typed.bad', source: 'test', data: { port: 'not a number' } });
    const run = await t.runReaching({ reaction: 'typed-bad' }, ['succeeded', 'failed']);
    expect(run.status).toBe('failed');
    expect(run.steps[0]!.error).toMatch(/invalid input for test\.typed: \/port/);
  });
});
