import type { SimContext } from './context.js';
import { render } from './messages.js';
import type { RenderedMessage } from './messages.js';
import { nextId } from './state.js';
import type { SimActor, SimEvent, SimState } from './types.js';

/** What the server itself does (start, finish a task) is attributed to `system`. */
export const SYSTEM_ACTOR: SimActor = {
  userId: 'users-system',
  username: 'system',
  isService: false,
  identityEstablishedWith: '',
  userAgent: 'Server',
  ipAddress: null,
};

/** The API-key user, for what a request does (queue a deployment, create a release). */
export function userActor(state: SimState, userAgent: string | undefined, ipAddress: string | null): SimActor {
  return {
    userId: state.user.id,
    username: state.user.username,
    isService: false,
    identityEstablishedWith: 'API key',
    userAgent: userAgent ?? '',
    ipAddress,
  };
}

export interface EventInput {
  category: string;
  spaceId: string | null;
  message: RenderedMessage | string;
  relatedDocumentIds: string[];
  actor?: SimActor;
  comments?: string | null;
  details?: string | null;
  occurred?: number;
}

/** Appends an audit event and hands it to webhook delivery. */
export function recordEvent(ctx: SimContext, input: EventInput): SimEvent {
  const rendered = typeof input.message === 'string' ? render([input.message]) : input.message;
  const id = nextId(ctx.state, 'Events');
  const event: SimEvent = {
    id,
    autoId: ctx.state.counters.Events,
    spaceId: input.spaceId,
    category: input.category,
    ...rendered,
    relatedDocumentIds: input.relatedDocumentIds,
    occurred: input.occurred ?? Date.now(),
    actor: input.actor ?? SYSTEM_ACTOR,
    comments: input.comments ?? null,
    details: input.details ?? null,
  };
  ctx.state.events.push(event);
  ctx.delivery.enqueue(event);
  return event;
}

/**
 * The categories `GET /api/events/categories` lists: the ones Shipline and its users meet most;
 * any other category can still be recorded through `POST /_sim/events`.
 */
export const EVENT_CATEGORIES = [
  'DeploymentQueued',
  'DeploymentStarted',
  'DeploymentSucceeded',
  'DeploymentFailed',
  'DeploymentResumed',
  'DeploymentEstimated',
  'ReleaseCreated',
  'ReleaseUpdated',
  'ReleaseDeleted',
  'GuidedFailureInterruptionRaised',
  'ManualInterventionInterruptionRaised',
  'MachineAdded',
  'MachineDeleted',
  'MachineHealthy',
  'MachineUnhealthy',
  'MachineUnavailable',
  'MachineHasWarnings',
  'MachineEnabled',
  'MachineDisabled',
  'Created',
  'Modified',
  'Deleted',
  'TaskCanceled',
  'Login',
  'LoginFailed',
];

/** `DeploymentQueued` → `Deployment queued`, how the server names its categories. */
export function categoryName(id: string): string {
  const words = id.replace(/([a-z])([A-Z])/g, '$1 $2').split(' ');
  return words.map((w, i) => (i === 0 ? w : w.toLowerCase())).join(' ');
}
