import { createHash } from 'node:crypto';
import { parseDatetime } from '../../core/datetime.js';
import { obj } from '../../core/objects.js';
/**
 * Reading an Octopus subscription delivery (`{Timestamp, EventType: "SubscriptionPayload",
 * Payload: {ServerUri, Event: {...}}}`). Tolerant of every form seen in the wild: numbers where
 * newer servers send strings, `Links.Self` as an object, missing ServerUri, ids in any order.
 */

export interface OctopusDelivery {
  eventId: string;
  category: string;
  /** `Event.Occurred` in UTC (Octopus writes the server's offset, e.g. `+10:00`); null when absent or not a time. */
  occurredAt: string | null;
  /** When the subscription payload was sent (`Payload.Timestamp`, else the top-level `Timestamp`), in UTC. */
  timestamp: string | null;
  message: string;
  /** Who did it in Octopus: `Event.Username` and `Event.UserId` (`system` for Octopus itself). */
  username: string | null;
  userId: string | null;
  spaceId: string | null;
  serverUri: string | null;
  /** Related document ids by kind: `Deployments` → `Deployments-12519`. */
  related: Record<string, string>;
}

export type ParseResult = { ok: true; delivery: OctopusDelivery } | { ok: false; error: string };

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null);
/** A time as every time Shipline stores: ISO 8601 in UTC. */
const utc = (v: unknown): string | null => {
  const raw = str(v);
  return raw === null ? null : parseDatetime(raw);
};

/** Looks a key up case-insensitively: Octopus binds keys that way, and so do its senders. */
function field(o: Record<string, unknown> | undefined, name: string): unknown {
  if (!o) return undefined;
  if (name in o) return o[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(o)) if (key.toLowerCase() === lower) return o[key];
  return undefined;
}

/** Splits each id at its first `-`: the kind, never the position, says what it is. */
export function relatedByKind(ids: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(ids)) return out;
  for (const id of ids) {
    if (typeof id !== 'string') continue;
    const dash = id.indexOf('-');
    if (dash <= 0) continue;
    const kind = id.slice(0, dash);
    out[kind] ??= id;
  }
  return out;
}

export function parseDelivery(body: unknown): ParseResult {
  const root = obj(body);
  if (!root) return { ok: false, error: 'the body is not a JSON object' };
  const payload = obj(field(root, 'Payload'));
  const event = obj(field(payload, 'Event'));
  if (!payload || !event) return { ok: false, error: 'Payload.Event is missing: not an Octopus subscription delivery' };
  const eventId = str(field(event, 'Id'));
  const category = str(field(event, 'Category'));
  if (!category) return { ok: false, error: 'Payload.Event.Category is missing' };
  return {
    ok: true,
    delivery: {
      // Real servers always send Event.Id; without one, the same event content is the same delivery.
      eventId: eventId ?? `sha256:${createHash('sha256').update(JSON.stringify(event)).digest('hex')}`,
      category,
      occurredAt: utc(field(event, 'Occurred')),
      timestamp: utc(field(payload, 'Timestamp')) ?? utc(field(root, 'Timestamp')),
      message: str(field(event, 'Message')) ?? '',
      username: str(field(event, 'Username')),
      userId: str(field(event, 'UserId')),
      spaceId: str(field(event, 'SpaceId')),
      serverUri: str(field(payload, 'ServerUri')),
      related: relatedByKind(field(event, 'RelatedDocumentIds')),
    },
  };
}

/** The four deployment categories and the event types they become. */
export const DEPLOYMENT_EVENT_TYPES: Record<string, string> = {
  DeploymentQueued: 'octopus.deployment.queued',
  DeploymentStarted: 'octopus.deployment.started',
  DeploymentSucceeded: 'octopus.deployment.succeeded',
  DeploymentFailed: 'octopus.deployment.failed',
};

/** Every other category is an `octopus.event` (ReleaseCreated, MachineAdded, ...). */
export const OTHER_EVENT_TYPE = 'octopus.event';

export function eventTypeOf(category: string): string {
  return DEPLOYMENT_EVENT_TYPES[category] ?? OTHER_EVENT_TYPE;
}

/** Names resolved after the delivery was stored; null when Octopus could not be asked. */
export interface ResolvedNames {
  projectName?: string | null;
  environmentName?: string | null;
  releaseVersion?: string | null;
}

/**
 * The event's `data`: the documented fields (eventType, category, timestamp, occurredAt,
 * message, projectId, environmentId, releaseId, deploymentId, serverUri; times in UTC) plus taskId,
 * spaceId, tenantId, channelId, username, userId when present and the names resolved afterwards.
 */
export function eventData(d: OctopusDelivery, names: ResolvedNames = {}): Record<string, unknown> {
  const r = d.related;
  const data: Record<string, unknown> = {
    eventType: d.category,
    category: d.category,
    timestamp: d.timestamp,
    occurredAt: d.occurredAt,
    message: d.message,
    projectId: r.Projects ?? null,
    environmentId: r.Environments ?? null,
    releaseId: r.Releases ?? null,
    deploymentId: r.Deployments ?? null,
    serverUri: d.serverUri,
  };
  if (r.ServerTasks) data.taskId = r.ServerTasks;
  if (d.spaceId) data.spaceId = d.spaceId;
  if (r.Tenants) data.tenantId = r.Tenants;
  if (r.Channels) data.channelId = r.Channels;
  if (d.username) data.username = d.username;
  if (d.userId) data.userId = d.userId;
  for (const [key, value] of Object.entries(names)) if (value !== undefined && value !== null) data[key] = value;
  return data;
}

/** The correlation keys a finished deployment resumes waiting steps by (per connection). */
export function deploymentKeys(connectionId: string, d: OctopusDelivery): string[] {
  if (d.category !== 'DeploymentSucceeded' && d.category !== 'DeploymentFailed') return [];
  const keys: string[] = [];
  if (d.related.Deployments) keys.push(deploymentKey(connectionId, d.related.Deployments));
  if (d.related.ServerTasks) keys.push(taskKey(connectionId, d.related.ServerTasks));
  return keys;
}

export const deploymentKey = (connectionId: string, deploymentId: string) => `octopus.deployment:${connectionId}:${deploymentId}`;
export const taskKey = (connectionId: string, taskId: string) => `octopus.task:${connectionId}:${taskId}`;
