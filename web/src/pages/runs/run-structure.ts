import type { StepExecution } from './types';

/** A step as the reaction document declares it: what it uses and which channel starts it. */
export interface DeclaredStep {
  id: string;
  uses: string;
  after: { step: string; channel: string } | null;
}

/** A step of the run: what the document declares and what happened (null: never reached). */
export interface RunStep extends DeclaredStep {
  execution: StepExecution | null;
}

/** The action that waits for someone to approve or reject (src/actions/flow/approval.ts). */
export const APPROVAL_ACTION = 'approval';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads the steps of a stored reaction document (`steps` maps step id to `{uses, after}`;
 * `after: x` is short for `{step: x, channel: success}`), in document order.
 */
export function declaredSteps(document: unknown): DeclaredStep[] {
  const steps = isObject(document) ? document.steps : undefined;
  if (!isObject(steps)) return [];
  return Object.entries(steps).map(([id, body]) => {
    const step = isObject(body) ? body : {};
    const after = step.after;
    let parsed: DeclaredStep['after'] = null;
    if (typeof after === 'string') parsed = { step: after, channel: 'success' };
    else if (isObject(after) && typeof after.step === 'string')
      parsed = { step: after.step, channel: typeof after.channel === 'string' ? after.channel : 'success' };
    return { id, uses: typeof step.uses === 'string' ? step.uses : '', after: parsed };
  });
}

/**
 * The document's steps joined with the run's executions; executions the document does not
 * know (the version could not be read) are kept, without an action or an `after`.
 */
export function runSteps(declared: DeclaredStep[], executions: StepExecution[]): RunStep[] {
  const byId = new Map(executions.map((e) => [e.id, e]));
  const steps: RunStep[] = declared.map((d) => ({ ...d, execution: byId.get(d.id) ?? null }));
  for (const e of executions) {
    if (!declared.some((d) => d.id === e.id)) steps.push({ id: e.id, uses: '', after: null, execution: e });
  }
  return steps;
}

/** The state a step is drawn in: its execution's status, or `not-reached`. */
export const stepState = (step: RunStep) => step.execution?.status ?? 'not-reached';

export const isWaitingApproval = (step: RunStep) => step.uses === APPROVAL_ACTION && step.execution?.status === 'waiting';

/** The step to show first: one needing a person, else one that failed, else one at work, else the first. */
export function defaultStep(steps: RunStep[]): RunStep | undefined {
  return (
    steps.find(isWaitingApproval) ??
    steps.find((s) => s.execution?.status === 'failed') ??
    steps.find((s) => ['running', 'waiting', 'pending'].includes(s.execution?.status ?? '')) ??
    steps[0]
  );
}

/** A step's state in words. */
export function stateLabel(step: RunStep): string {
  if (isWaitingApproval(step)) return 'waiting for approval';
  return stepState(step).replace('-', ' ');
}
