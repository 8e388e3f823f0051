import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import type { Action, ActionContext } from './action.js';
import { defineAction } from './define-action.js';

const Config = Type.Object({ target: Type.String(), attempts: Type.Optional(Type.Integer()) }, { additionalProperties: false });

describe('defineAction', () => {
  it('hands run, resume and poll the settings typed by the schema, and is an Action without a cast', async () => {
    const seen: unknown[] = [];
    const action: Action = defineAction({
      name: 'test.typed',
      description: 'typed',
      channels: ['success', 'failed'],
      config: Config,
      exampleOutput: {},
      async run(_ctx, config) {
        const target: string = config.target;
        const attempts: number | undefined = config.attempts;
        seen.push([target, attempts]);
        return { channel: 'success' };
      },
      async resume(_ctx, config, state) {
        seen.push(['resume', config.target, state]);
        return { channel: 'success' };
      },
    });
    // Neither hook touches the context.
    const ctx: ActionContext = Object.create(null);
    await action.run(ctx, { target: 'a', attempts: 2 });
    await action.resume!(ctx, { target: 'b' }, 's', { kind: 'timeout' });
    expect(seen).toEqual([
      ['a', 2],
      ['resume', 'b', 's'],
    ]);
    expect(action.poll).toBeUndefined();
    expect(action.config).toBe(Config);
  });
});
