import type { DeploymentContext } from './messages.js';
import { sameId } from './lookup.js';

/**
 * Scripted outcomes: which state a deployment's task ends in and how long it takes. Rules are
 * tried in the order they were added; the first that matches decides, and one with `times` is
 * used up after that many deployments. Without a matching rule: Success after the defaults.
 */

export const OUTCOME_STATES = ['Success', 'Failed', 'Canceled', 'TimedOut', 'Manual'] as const;
export type OutcomeState = (typeof OUTCOME_STATES)[number];

export interface OutcomeRule {
  /** Project id, name or slug; absent matches any. */
  project?: string;
  /** Environment id or name; absent matches any. */
  environment?: string;
  /** Release id or version; absent matches any. */
  release?: string;
  /** Tenant id or name; absent matches any (tenanted or not). */
  tenant?: string;
  /** The final state; `Manual` stays Executing until `POST /_sim/tasks/{id}/complete`. */
  state: OutcomeState;
  /** Time spent Queued. Default 10 ms. */
  queuedMs?: number;
  /** Time spent Executing. Default 50 ms. */
  executingMs?: number;
  /** The task's ErrorMessage when it does not succeed. Default: Octopus's own wording per state. */
  errorMessage?: string;
  /** How many deployments the rule applies to; absent means every one, for good. */
  times?: number;
}

export interface ResolvedOutcome {
  state: OutcomeState;
  queuedMs: number;
  executingMs: number;
  errorMessage: string | null;
}

export const DEFAULT_QUEUED_MS = 10;
export const DEFAULT_EXECUTING_MS = 50;

/** What the server says when a task ends without success (Failed from a real task log). */
export function defaultErrorMessage(state: OutcomeState): string | null {
  switch (state) {
    case 'Failed':
      return 'The deployment failed because one or more steps failed. Please see the deployment log for details.';
    case 'TimedOut':
      return 'The task timed out.';
    case 'Canceled':
      return 'The task was canceled.';
    default:
      return null;
  }
}

function matches(rule: OutcomeRule, c: DeploymentContext): boolean {
  const { project, environment, release, tenant } = c;
  if (rule.project && !sameId(rule.project, project.id) && rule.project !== project.name && rule.project.toLowerCase() !== project.slug)
    return false;
  if (rule.environment && !sameId(rule.environment, environment.id) && !sameId(rule.environment, environment.name)) return false;
  if (rule.release && !sameId(rule.release, release.id) && rule.release !== release.version) return false;
  if (rule.tenant && !(tenant && (sameId(rule.tenant, tenant.id) || sameId(rule.tenant, tenant.name)))) return false;
  return true;
}

export class OutcomeRules {
  private rules: OutcomeRule[] = [];

  add(rule: OutcomeRule): void {
    this.rules.push({ ...rule });
  }

  list(): OutcomeRule[] {
    return this.rules.map((r) => ({ ...r }));
  }

  clear(): void {
    this.rules = [];
  }

  /** The outcome for a new deployment, using up one of the matching rule's `times`. */
  take(c: DeploymentContext): ResolvedOutcome {
    const index = this.rules.findIndex((r) => matches(r, c));
    const rule = index >= 0 ? this.rules[index] : undefined;
    if (rule && rule.times !== undefined) {
      rule.times -= 1;
      if (rule.times <= 0) this.rules.splice(index, 1);
    }
    const state = rule?.state ?? 'Success';
    return {
      state,
      queuedMs: rule?.queuedMs ?? DEFAULT_QUEUED_MS,
      executingMs: rule?.executingMs ?? DEFAULT_EXECUTING_MS,
      errorMessage: rule?.errorMessage ?? defaultErrorMessage(state),
    };
  }
}
