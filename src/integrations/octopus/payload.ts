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
  /** `Payload.ServerAuditUri`: Octopus's own link to its audit screen for this delivery's batch; null when not sent. */
  serverAuditUri: string | null;
  /** Related document ids by kind, the first of each: `Deployments` → `Deployments-12519`. */
  related: Record<string, string>;
  /** Every related document id by kind, in the order Octopus sent them: `Machines` → `[Machines-1, Machines-4]`. */
  relatedAll: Record<string, string[]>;
  /** The text each referenced document has in the message (`Machines-1` → `web-01`), from `MessageReferences`. */
  referencedText: Record<string, string>;
}

export type ParseResult = { ok: true; delivery: OctopusDelivery } | { ok: false; error: string };

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null);
/** A time as every time Shipline stores: ISO 8601 in UTC. */
const utc = (v: unknown): string | null => {
  const raw = str(v);
  return raw === null ? null : parseDatetime(raw);
};

/** Only an http(s) URL is kept as a link (a `javascript:` one must never reach a chat message). */
function httpUrl(v: string | null): string | null {
  return v !== null && /^https?:\/\//i.test(v) ? v : null;
}

/** Looks a key up case-insensitively: Octopus binds keys that way, and so do its senders. */
function field(o: Record<string, unknown> | undefined, name: string): unknown {
  if (!o) return undefined;
  if (name in o) return o[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(o)) if (key.toLowerCase() === lower) return o[key];
  return undefined;
}

/** A document kind as Octopus prefixes ids: letters and digits only (`Machines`, `deploymentprocess`). */
const KIND = /^[A-Za-z][A-Za-z0-9]*$/;

/** Splits each id at its first `-`: the kind, never the position, says what it is. Every id of each kind, deduplicated. */
export function allRelatedByKind(ids: unknown): Record<string, string[]> {
  const out: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  if (!Array.isArray(ids)) return out;
  for (const id of ids) {
    if (typeof id !== 'string') continue;
    const dash = id.indexOf('-');
    if (dash <= 0) continue;
    const kind = id.slice(0, dash);
    if (!KIND.test(kind)) continue;
    const list = (out[kind] ??= []);
    if (!list.includes(id)) list.push(id);
  }
  return { ...out };
}

/** The first related id of each kind. */
export function relatedByKind(ids: unknown): Record<string, string> {
  return Object.fromEntries(Object.entries(allRelatedByKind(ids)).map(([kind, list]) => [kind, list[0]!]));
}

/**
 * `MessageReferences` as `{document id: the text it has in Message}`: how Octopus itself named a
 * document when the event happened (a deleted machine's name is found nowhere else).
 */
function referencedText(message: string, refs: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(refs)) return out;
  for (const raw of refs) {
    const ref = obj(raw);
    const id = str(field(ref, 'ReferencedDocumentId'));
    const start = field(ref, 'StartIndex');
    const length = field(ref, 'Length');
    if (!id || typeof start !== 'number' || typeof length !== 'number' || start < 0 || length <= 0) continue;
    if (start + length > message.length || id in out) continue;
    out[id] = message.slice(start, start + length);
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
  const message = str(field(event, 'Message')) ?? '';
  const relatedAll = allRelatedByKind(field(event, 'RelatedDocumentIds'));
  return {
    ok: true,
    delivery: {
      // Real servers always send Event.Id; without one, the same event content is the same delivery.
      eventId: eventId ?? `sha256:${createHash('sha256').update(JSON.stringify(event)).digest('hex')}`,
      category,
      occurredAt: utc(field(event, 'Occurred')),
      timestamp: utc(field(payload, 'Timestamp')) ?? utc(field(root, 'Timestamp')),
      message,
      username: str(field(event, 'Username')),
      userId: str(field(event, 'UserId')),
      spaceId: str(field(event, 'SpaceId')),
      serverUri: str(field(payload, 'ServerUri')),
      serverAuditUri: httpUrl(str(field(payload, 'ServerAuditUri'))),
      related: Object.fromEntries(Object.entries(relatedAll).map(([kind, list]) => [kind, list[0]!])),
      relatedAll,
      referencedText: referencedText(message, field(event, 'MessageReferences')),
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

/** The categories Octopus records when a deployment target's health changes, and the HealthStatus each means. */
export const MACHINE_HEALTH_CATEGORIES: Record<string, string> = {
  MachineHealthy: 'Healthy',
  MachineUnhealthy: 'Unhealthy',
  MachineUnavailable: 'Unavailable',
  MachineHasWarnings: 'HasWarnings',
};

/** The lifecycle categories with a type of their own. */
export const LIFECYCLE_EVENT_TYPES: Record<string, string> = {
  ReleaseCreated: 'octopus.release.created',
  MachineAdded: 'octopus.machine.added',
  MachineDeleted: 'octopus.machine.deleted',
  ...Object.fromEntries(Object.keys(MACHINE_HEALTH_CATEGORIES).map((c) => [c, 'octopus.machine.health_changed'])),
};

/**
 * An edit of a project's deployment process is a document event, category `Modified` ("Document
 * modified"), related to the process (`deploymentprocess-Projects-N`) and its project.
 */
export const DEPLOYMENT_PROCESS_CHANGED = 'octopus.deployment_process.changed';
export const DEPLOYMENT_PROCESS_CATEGORIES = ['Modified'];
const DEPLOYMENT_PROCESS_KIND = 'deploymentprocess';

/** Every other category is an `octopus.event`. */
export const OTHER_EVENT_TYPE = 'octopus.event';

/** The `deploymentprocess-…` ids of an event, whatever their case. */
function deploymentProcessIds(relatedAll: Record<string, string[]>): string[] {
  return Object.entries(relatedAll)
    .filter(([kind]) => kind.toLowerCase() === DEPLOYMENT_PROCESS_KIND)
    .flatMap(([, ids]) => ids);
}

/** What a delivery becomes: by category, and for a document edit by what it edited. */
export function eventTypeOf(category: string, relatedAll: Record<string, string[]> = {}): string {
  const typed = DEPLOYMENT_EVENT_TYPES[category] ?? LIFECYCLE_EVENT_TYPES[category];
  if (typed) return typed;
  if (DEPLOYMENT_PROCESS_CATEGORIES.includes(category) && deploymentProcessIds(relatedAll).length > 0) return DEPLOYMENT_PROCESS_CHANGED;
  return OTHER_EVENT_TYPE;
}

/** Every type an event of this category can become (a `Modified` one: a process change, or octopus.event). */
export function eventTypesOfCategory(category: string): string[] {
  const typed = DEPLOYMENT_EVENT_TYPES[category] ?? LIFECYCLE_EVENT_TYPES[category];
  if (typed) return [typed];
  if (DEPLOYMENT_PROCESS_CATEGORIES.includes(category)) return [DEPLOYMENT_PROCESS_CHANGED, OTHER_EVENT_TYPE];
  return [OTHER_EVENT_TYPE];
}

/** The event's project: the related one, else the one a `deploymentprocess-Projects-7` id names. */
export function projectIdOf(d: OctopusDelivery): string | null {
  if (d.related.Projects) return d.related.Projects;
  for (const id of deploymentProcessIds(d.relatedAll)) {
    const owner = /-(Projects-\d+)$/i.exec(id)?.[1];
    if (owner) return owner;
  }
  return null;
}

export const deliveryEventType = (d: OctopusDelivery): string => eventTypeOf(d.category, d.relatedAll);

/** Names resolved after the delivery was stored; null when Octopus could not be asked. */
export interface ResolvedNames {
  projectName?: string | null;
  environmentName?: string | null;
  releaseVersion?: string | null;
}

/** A deployment target as `GET /api/{space}/machines/{id}` describes it; null fields when it could not be read. */
export interface ResolvedMachine {
  name: string | null;
  environmentIds: string[] | null;
  roles: string[] | null;
}

/** The list field of each kind Octopus relates events to (`Machines` → `machineIds`); other kinds are named alike. */
const LIST_FIELDS: Record<string, string> = {
  machines: 'machineIds',
  tenants: 'tenantIds',
  environments: 'environmentIds',
  projects: 'projectIds',
  releases: 'releaseIds',
  deployments: 'deploymentIds',
  servertasks: 'taskIds',
  channels: 'channelIds',
  projectgroups: 'projectGroupIds',
  deploymentprocess: 'deploymentProcessIds',
  variableset: 'variableSetIds',
};
/** The lists every event carries, empty when it relates to no document of the kind. */
const ALWAYS_LISTED = ['machines', 'tenants', 'environments', 'projects', 'releases', 'deployments', 'servertasks', 'channels'];

function listField(kind: string): string {
  const known = LIST_FIELDS[kind.toLowerCase()];
  if (known) return known;
  const singular = kind.endsWith('s') ? kind.slice(0, -1) : kind;
  return `${singular.charAt(0).toLowerCase()}${singular.slice(1)}Ids`;
}

/** Every related id by kind, as lists: `machineIds`, `tenantIds`, `environmentIds`, ... */
export function relatedLists(relatedAll: Record<string, string[]>): Record<string, string[]> {
  const lists: Record<string, string[]> = {};
  for (const kind of ALWAYS_LISTED) lists[listField(kind)] = [];
  for (const [kind, ids] of Object.entries(relatedAll)) {
    const name = listField(kind);
    lists[name] = [...(lists[name] ?? []), ...ids.filter((id) => !(lists[name] ?? []).includes(id))];
  }
  return lists;
}

/**
 * The event's `data`: the documented fields (eventType, category, timestamp, occurredAt,
 * message, projectId, environmentId, releaseId, deploymentId, serverUri; times in UTC) plus taskId,
 * spaceId, tenantId, channelId, username, userId when present, the names resolved afterwards,
 * every related id by kind as lists, and what the event's type adds (a release's version, a
 * machine's name, environments and roles, a process change's audit link).
 */
export function eventData(d: OctopusDelivery, names: ResolvedNames = {}, machine?: ResolvedMachine): Record<string, unknown> {
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
  Object.assign(data, relatedLists(d.relatedAll));
  Object.assign(data, typedFields(d, names, machine));
  return data;
}

/** The fields a lifecycle event's type declares, always present (null when unknown). */
function typedFields(d: OctopusDelivery, names: ResolvedNames, machine: ResolvedMachine | undefined): Record<string, unknown> {
  const type = deliveryEventType(d);
  const r = d.related;
  if (type === 'octopus.release.created') {
    // The release is new, so the message's own text for it (its version) is what Octopus wrote.
    const version = names.releaseVersion ?? (r.Releases ? d.referencedText[r.Releases] : undefined) ?? null;
    return { version, channelId: r.Channels ?? null, projectName: names.projectName ?? null };
  }
  if (type.startsWith('octopus.machine.')) {
    const machineId = r.Machines ?? null;
    const fields: Record<string, unknown> = {
      machineId,
      machineName: machine?.name ?? (machineId ? d.referencedText[machineId] : undefined) ?? null,
      // The machine's own environments when Octopus told us; else those the event relates to.
      environmentIds: machine?.environmentIds ?? d.relatedAll.Environments ?? [],
      roles: machine?.roles ?? null,
    };
    if (type === 'octopus.machine.health_changed') fields.healthStatus = MACHINE_HEALTH_CATEGORIES[d.category] ?? null;
    return fields;
  }
  if (type === DEPLOYMENT_PROCESS_CHANGED) {
    const processId = deploymentProcessIds(d.relatedAll)[0]!;
    return {
      projectId: projectIdOf(d),
      projectName: names.projectName ?? null,
      deploymentProcessId: processId,
      auditUrl: d.serverAuditUri,
    };
  }
  return {};
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
