import { Type } from 'typebox';
import type { Static, TSchema } from 'typebox';
import { Value } from 'typebox/value';
import type { DeliverySettings, SimContext } from './context.js';
import { recordEvent } from './events.js';
import { sameId } from './lookup.js';
import { OUTCOME_STATES } from './outcomes.js';
import type { OutcomeRule } from './outcomes.js';
import type { FaultRule } from './faults.js';
import { isCompleted } from './resources-activity.js';
import type { FinalTaskState, SimEvent, SimTask } from './types.js';

/**
 * What the control API (`/_sim/...`) and the OctopusSim handle can do, with the input checks
 * both share. Control bodies are Shipline's own camelCase JSON, not Octopus's.
 */

/** A control call that cannot be done; the route answers `status` with `{error}`. */
export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ControlError';
  }
}

export function checked<T extends TSchema>(schema: T, value: unknown, what: string): Static<T> {
  if (Value.Check(schema, value)) return value;
  const [first] = Value.Errors(schema, value);
  throw new ControlError(400, `${what}: ${first ? `${first.instancePath || '/'} ${first.message}` : 'invalid'}`);
}

const Ms = Type.Integer({ minimum: 0 });
const OutcomeInput = Type.Object(
  {
    project: Type.Optional(Type.String()),
    environment: Type.Optional(Type.String()),
    release: Type.Optional(Type.String()),
    tenant: Type.Optional(Type.String()),
    state: Type.Union(OUTCOME_STATES.map((s) => Type.Literal(s))),
    queuedMs: Type.Optional(Ms),
    executingMs: Type.Optional(Ms),
    errorMessage: Type.Optional(Type.String()),
    times: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);

/** Adds a scripted outcome rule (see outcomes.ts). */
export function addOutcome(ctx: SimContext, input: unknown): OutcomeRule {
  const rule = checked(OutcomeInput, input, 'outcome');
  ctx.outcomes.add(rule);
  return rule;
}

const FaultInput = Type.Object(
  {
    method: Type.Optional(Type.String({ minLength: 1 })),
    path: Type.String({ minLength: 1 }),
    status: Type.Optional(Type.Integer({ minimum: 400, maximum: 599 })),
    drop: Type.Optional(Type.Boolean()),
    retryAfterSeconds: Type.Optional(Type.Integer({ minimum: 0 })),
    delayMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 60_000 })),
    times: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);

/** Makes the next matching API calls fail (see faults.ts). */
export function addFault(ctx: SimContext, input: unknown): FaultRule {
  const rule = checked(FaultInput, input, 'fault');
  ctx.faults.add(rule);
  return rule;
}

const CompleteInput = Type.Object(
  {
    state: Type.Union(['Success', 'Failed', 'Canceled', 'TimedOut'].map((s) => Type.Literal(s))),
    errorMessage: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

/** Ends a task now with the given state, recording its events. */
export function completeTask(ctx: SimContext, taskId: string, input: unknown): SimTask {
  const { state, errorMessage } = checked(CompleteInput, input, 'complete');
  const task = ctx.state.tasks.find((t) => sameId(t.id, taskId));
  if (!task) throw new ControlError(404, `no task ${taskId}`);
  if (isCompleted(task)) throw new ControlError(409, `task ${task.id} is already ${task.state}`);
  ctx.tasks.complete(ctx, task, state as FinalTaskState, errorMessage ?? null);
  return task;
}

const DeliveryInput = Type.Object(
  {
    drop: Type.Optional(Type.Union([Type.Boolean(), Type.Integer({ minimum: 0 })])),
    dropCategories: Type.Optional(Type.Array(Type.String())),
    duplicate: Type.Optional(Type.Boolean()),
    delayMs: Type.Optional(Ms),
    sensitiveHeaderValues: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

/** Changes the given delivery settings, leaving the others as they are. */
export function updateDelivery(ctx: SimContext, input: unknown): DeliverySettings {
  const patch = checked(DeliveryInput, input ?? {}, 'delivery');
  if (patch.drop !== undefined) ctx.settings.drop = patch.drop === 0 ? false : patch.drop;
  if (patch.dropCategories !== undefined) ctx.settings.dropCategories = patch.dropCategories;
  if (patch.duplicate !== undefined) ctx.settings.duplicate = patch.duplicate;
  if (patch.delayMs !== undefined) ctx.settings.delayMs = patch.delayMs;
  if (patch.sensitiveHeaderValues !== undefined) ctx.settings.sensitiveHeaderValues = patch.sensitiveHeaderValues;
  return { ...ctx.settings };
}

const EventInput = Type.Object(
  {
    category: Type.String({ minLength: 1 }),
    message: Type.Optional(Type.String()),
    relatedDocumentIds: Type.Optional(Type.Array(Type.String())),
    spaceId: Type.Optional(Type.String()),
    comments: Type.Optional(Type.String()),
    details: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

/** Records any event (e.g. MachineAdded) in a space, delivered like the server's own. */
export function recordCustomEvent(ctx: SimContext, input: unknown): SimEvent {
  const spec = checked(EventInput, input, 'event');
  const space =
    spec.spaceId === undefined ? ctx.state.spaces.find((s) => s.isDefault) : ctx.state.spaces.find((s) => sameId(s.id, spec.spaceId ?? ''));
  if (!space) throw new ControlError(404, `no space ${spec.spaceId}`);
  return recordEvent(ctx, {
    category: spec.category,
    spaceId: space.id,
    message: spec.message ?? `${spec.category} (recorded through the simulator)`,
    relatedDocumentIds: spec.relatedDocumentIds ?? [],
    comments: spec.comments ?? null,
    details: spec.details ?? null,
  });
}

/** The whole model, for debugging a test: camelCase, ids as Octopus shows them. */
export function dumpState(ctx: SimContext): Record<string, unknown> {
  const { state } = ctx;
  return {
    ...state,
    apiKeys: [...state.apiKeys].map((k) => k.slice(0, 8)),
    outcomes: ctx.outcomes.list(),
    faults: ctx.faults.list(),
    delivery: { ...ctx.settings },
    pending: ctx.delivery.pendingFor().map((e) => e.id),
  };
}
