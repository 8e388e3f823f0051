import type { Static, TSchema } from 'typebox';
import type { Action, ActionContext, Outcome, ResumeCause, StepResult } from './action.js';

/** An action as its author writes it: `run`, `resume` and `poll` receive the settings typed by the `config` schema. */
export interface ActionDefinition<S extends TSchema> extends Omit<Action, 'config' | 'run' | 'resume' | 'poll'> {
  config: S;
  run(ctx: ActionContext, config: Static<S>): Promise<StepResult>;
  resume?(ctx: ActionContext, config: Static<S>, state: unknown, cause: ResumeCause): Promise<StepResult>;
  poll?(ctx: ActionContext, config: Static<S>, state: unknown): Promise<Outcome | 'pending'>;
}

/**
 * An action typed by its schema: the one place where the registry's untyped settings become
 * `Static<typeof config>`. That is sound because the engine hands an action only settings that
 * passed `Value.Errors(action.config, …)` (see execute-step), so no action casts its own input.
 */
export function defineAction<const S extends TSchema>(definition: ActionDefinition<S>): Action {
  const { run, resume, poll, ...rest } = definition;
  const typed = (config: Record<string, unknown>) => config as Static<S>;
  return {
    ...rest,
    run: (ctx, config) => run.call(definition, ctx, typed(config)),
    ...(resume ? { resume: (ctx, config, state, cause) => resume.call(definition, ctx, typed(config), state, cause) } : {}),
    ...(poll ? { poll: (ctx, config, state) => poll.call(definition, ctx, typed(config), state) } : {}),
  };
}
