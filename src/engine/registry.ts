import type { ActionInfo, KnownConnections } from '../core/reactions/document.js';
import type { Action } from './action.js';

/** The actions reactions may use, by name. Built once at start-up from the integrations. */
export class ActionRegistry {
  private readonly actions = new Map<string, Action>();

  constructor(actions: readonly Action[] = []) {
    for (const action of actions) this.register(action);
  }

  register(action: Action): void {
    if (this.actions.has(action.name)) throw new Error(`action ${action.name} is registered twice`);
    if (!action.channels.includes('failed')) throw new Error(`action ${action.name} must have a failed channel`);
    this.actions.set(action.name, action);
  }

  get(name: string): Action | undefined {
    return this.actions.get(name);
  }

  all(): Action[] {
    return [...this.actions.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** What document validation needs to know of each action. */
  infos(): ReadonlyMap<string, ActionInfo> {
    return new Map(
      [...this.actions].map(([name, a]) => [
        name,
        {
          channels: a.channels,
          config: a.config,
          adminOnly: a.adminOnly ?? false,
          ...(a.literalSettings ? { literalSettings: a.literalSettings } : {}),
          ...(a.configProblems
            ? {
                configProblems: (config: Record<string, unknown>, connections?: KnownConnections) => a.configProblems!(config, connections),
              }
            : {}),
        },
      ]),
    );
  }
}
