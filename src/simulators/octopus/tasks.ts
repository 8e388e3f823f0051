import type { SimContext } from './context.js';
import { deploymentContextOf } from './deployments.js';
import { recordEvent } from './events.js';
import { deploymentRelatedIds, outcomeMessage } from './messages.js';
import { defaultErrorMessage } from './outcomes.js';
import type { ResolvedOutcome } from './outcomes.js';
import { isCompleted } from './resources-activity.js';
import type { FinalTaskState, SimTask } from './types.js';

/** How long a cancelled task stays `Cancelling` before it is `Canceled`. */
const CANCELLING_MS = 20;

/**
 * The life of a deployment's server task: Queued → Executing → a final state, on timers, with
 * the audit events Octopus records at each step (DeploymentStarted; DeploymentSucceeded, or
 * DeploymentFailed for Failed, TimedOut and Canceled alike). Every timer is tracked so that
 * closing or resetting the stand-in leaves none behind.
 */
export class TaskRunner {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  /** Runs a new Queued task to the scripted outcome. */
  start(ctx: SimContext, task: SimTask, outcome: ResolvedOutcome): void {
    const { state } = outcome;
    this.later(task, outcome.queuedMs, () => {
      this.begin(ctx, task);
      if (state === 'Manual') return;
      this.later(task, outcome.executingMs, () => {
        if (state === 'Canceled') this.cancel(ctx, task);
        else this.finish(ctx, task, state, outcome.errorMessage);
      });
    });
  }

  /** `POST /api/tasks/{id}/cancel`: an unfinished task goes Cancelling, then Canceled. */
  cancel(ctx: SimContext, task: SimTask): void {
    if (isCompleted(task) || task.state === 'Cancelling') return;
    this.clear(task);
    task.state = 'Cancelling';
    task.lastUpdated = Date.now();
    this.later(task, CANCELLING_MS, () => this.finish(ctx, task, 'Canceled', defaultErrorMessage('Canceled')));
  }

  /** Ends a task now (`POST /_sim/tasks/{id}/complete`); a Queued one is started first. */
  complete(ctx: SimContext, task: SimTask, state: FinalTaskState, errorMessage: string | null): void {
    this.clear(task);
    if (task.state === 'Queued') this.begin(ctx, task);
    this.finish(ctx, task, state, errorMessage ?? defaultErrorMessage(state));
  }

  /** Stops every pending transition (on close and reset). */
  stopAll(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private begin(ctx: SimContext, task: SimTask): void {
    if (task.state !== 'Queued') return;
    const now = Date.now();
    task.state = 'Executing';
    task.startTime = now;
    task.lastUpdated = now;
    this.emit(ctx, task, 'DeploymentStarted', 'started');
  }

  private finish(ctx: SimContext, task: SimTask, state: FinalTaskState, errorMessage: string | null): void {
    if (isCompleted(task)) return;
    this.clear(task);
    const now = Date.now();
    task.state = state;
    task.completedTime = now;
    task.startTime ??= now;
    task.lastUpdated = now;
    task.errorMessage = state === 'Success' ? null : errorMessage;
    task.hasWarningsOrErrors = state !== 'Success';
    if (state === 'Success') this.emit(ctx, task, 'DeploymentSucceeded', 'succeeded');
    else this.emit(ctx, task, 'DeploymentFailed', 'failed');
  }

  private emit(ctx: SimContext, task: SimTask, category: string, verb: 'started' | 'succeeded' | 'failed'): void {
    const c = deploymentContextOf(ctx.state, task.deploymentId);
    if (!c) return;
    recordEvent(ctx, {
      category,
      spaceId: task.spaceId,
      message: outcomeMessage(c, verb),
      relatedDocumentIds: deploymentRelatedIds(c),
    });
  }

  private later(task: SimTask, ms: number, run: () => void): void {
    this.clear(task);
    const timer = setTimeout(
      () => {
        this.timers.delete(task.id);
        run();
      },
      Math.max(0, ms),
    );
    this.timers.set(task.id, timer);
  }

  private clear(task: SimTask): void {
    const timer = this.timers.get(task.id);
    if (timer) clearTimeout(timer);
    this.timers.delete(task.id);
  }
}
