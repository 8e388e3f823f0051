import { Type } from 'typebox';
import { parseDatetime } from '../core/datetime.js';
import type { ShiplineEvent } from '../core/vocabulary.js';
import { NonRetriableError } from '../engine/action.js';
import { obj } from '../core/objects.js';
import { trimTrailingSlashes } from '../core/urls.js';

/**
 * What a deploy-shaped event says, for the integrations that report deploys: a `deploy.recorded`
 * or `deploy.updated` deploy, or an `octopus.deployment.*` event. Two readings, for two uses:
 *
 * - `deployView` / `viewOf`: what a chat message shows (Slack blocks, Teams cards), with the
 *   step's `deploy` overrides laid over it and the status as one of four words;
 * - `deployFacts`: what the email layout and the deployment markers (New Relic, Datadog, Sentry)
 *   send, so their steps can be just `{connection}`: who by email, the time, the ids.
 *
 * They differ on purpose where their readers do (the Octopus page a chat links to is the
 * deployment, a marker's is the task log); what both read the same way is read here once.
 */

const OCTOPUS_STATUS: Record<string, string> = {
  DeploymentQueued: 'queued',
  DeploymentStarted: 'started',
  DeploymentSucceeded: 'succeeded',
  DeploymentFailed: 'failed',
};

/** A shown value: a non-empty string, or a number as text. */
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null);
/** A string that is not blank; anything else is null. */
const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);
/** A time in UTC, or null when it is not one. */
const utc = (v: string | null): string | null => (v === null ? null : parseDatetime(v));

/** A page of the Octopus web UI: `<server>/app#/<space>/<path>`; null without a server. */
function octopusPage(serverUri: string | null, space: string | null, path: string | null): string | null {
  const server = serverUri === null ? null : trimTrailingSlashes(serverUri);
  return server && path ? `${server}/app#/${space ? `${space}/` : ''}${path}` : null;
}

const isDeployEvent = (type: string) => type === 'deploy.recorded' || type === 'deploy.updated' || type === 'deploy.failed';

// ---- the chat view ----

export interface DeployView {
  service: string | null;
  environment: string | null;
  version: string | null;
  /** queued | started | succeeded | failed, or the source's own word when it has no mapping. */
  status: string | null;
  deployer: string | null;
  commit: string | null;
  commitMessage: string | null;
  commitUrl: string | null;
  /** The deploy's page (the pipeline's deploy URL, the Octopus deployment). */
  url: string | null;
}

const FIELDS = ['service', 'environment', 'version', 'status', 'deployer', 'commit', 'commitMessage', 'commitUrl', 'url'] as const;
type Field = (typeof FIELDS)[number];

/** The `deploy` setting of the chat actions: where the layout reads from, and fields to override. */
export const DeployOverrides = Type.Object(
  {
    from: Type.Optional(
      Type.String({
        title: 'From',
        description:
          'JSON of an event, a step output or a deploy whose fields replace the triggering event\'s, e.g. "{{ steps.deploy.output | json }}"',
      }),
    ),
    service: Type.Optional(Type.String({ title: 'Service', description: 'The service name shown' })),
    environment: Type.Optional(Type.String({ title: 'Environment', description: 'The environment shown' })),
    version: Type.Optional(Type.String({ title: 'Version', description: 'The version (release, deploy number) shown' })),
    status: Type.Optional(
      Type.String({
        title: 'Status',
        description: 'queued, started, succeeded or failed (picks the colour; Success, Failed, Canceled... are understood)',
      }),
    ),
    deployer: Type.Optional(Type.String({ title: 'Deployer', description: 'Who deployed' })),
    commit: Type.Optional(Type.String({ title: 'Commit SHA', description: 'The commit SHA' })),
    commitMessage: Type.Optional(Type.String({ title: 'Commit message', description: 'The commit message' })),
    commitUrl: Type.Optional(
      Type.String({ title: 'Commit URL', placeholder: 'https://github.com/acme/api/commit/4f2a9c1', description: 'A link to the commit' }),
    ),
    url: Type.Optional(Type.String({ title: 'Deploy URL', description: 'A link to the deploy' })),
  },
  {
    additionalProperties: false,
    title: 'Deploy shown',
    description: 'What the deploy layout shows; by default read from the triggering event',
  },
);

export type DeployOverridesValue = Partial<Record<Field | 'from', string>>;

/** Status words of CI systems and Octopus task states, as the four deploy statuses. */
const STATUS_WORDS: Record<string, string> = {
  success: 'succeeded',
  successful: 'succeeded',
  succeeded: 'succeeded',
  ok: 'succeeded',
  passed: 'succeeded',
  failure: 'failed',
  failed: 'failed',
  error: 'failed',
  errored: 'failed',
  canceled: 'failed',
  cancelled: 'failed',
  timedout: 'failed',
  started: 'started',
  running: 'started',
  executing: 'started',
  in_progress: 'started',
  inprogress: 'started',
  queued: 'queued',
  pending: 'queued',
  waiting: 'queued',
};

function normalStatus(status: string | null): string | null {
  return status === null
    ? null
    : (STATUS_WORDS[
        status
          .trim()
          .toLowerCase()
          .replace(/[\s-]+/g, '_')
      ] ?? status);
}

/**
 * A view as read from one source. Ids stand in for names the source lacks (`Projects-123` for
 * the project name): they are `weak`, and any name found in another source wins over them.
 */
interface Reading {
  view: DeployView;
  weak: Set<Field>;
}

const EMPTY: DeployView = {
  service: null,
  environment: null,
  version: null,
  status: null,
  deployer: null,
  commit: null,
  commitMessage: null,
  commitUrl: null,
  url: null,
};
const blank = (): Reading => ({ view: { ...EMPTY }, weak: new Set() });

/** The first name, else the id (weak). */
function nameOr(reading: Reading, field: Field, name: string | null, id: string | null): void {
  reading.view[field] = name ?? id;
  if (name === null && id !== null) reading.weak.add(field);
}

/** A catalog deploy (the commit read in either spelling: the API's camelCase or the webhook's snake_case). */
function viewOfDeploy(d: Record<string, unknown>): Reading {
  const service = obj(d.service);
  const deployer = obj(d.deployer);
  const commit = obj(d.commit);
  const reading = blank();
  Object.assign(reading.view, {
    service: str(service?.name) ?? str(d.service) ?? str(d.serviceAlias),
    environment: str(d.environment),
    version: str(d.deployNumber),
    status: str(d.status),
    deployer: str(deployer?.name) ?? str(deployer?.email) ?? str(commit?.authorName) ?? str(commit?.author_name),
    commit: str(commit?.sha),
    commitMessage: str(commit?.message),
    commitUrl: str(commit?.url),
    url: str(d.deployUrl),
  });
  return reading;
}

/** `octopus.deployment.*` event data, or (with `taskState`) the data of `octopus.deployRelease`'s finished output. */
function viewOfOctopus(d: Record<string, unknown>): Reading {
  const reading = blank();
  nameOr(reading, 'service', str(d.projectName), str(d.projectId));
  nameOr(reading, 'environment', str(d.environmentName), str(d.environmentId));
  nameOr(reading, 'version', str(d.releaseVersion), str(d.releaseId));
  const state = str(d.taskState);
  const category = str(d.category) ?? str(d.eventType);
  if (state !== null) reading.view.status = state === 'Success' ? 'succeeded' : 'failed';
  else if (category !== null) reading.view.status = OCTOPUS_STATUS[category] ?? category;
  reading.view.deployer = str(d.username);
  const deploymentId = str(d.deploymentId);
  reading.view.url = str(d.webUrl) ?? octopusPage(str(d.serverUri), str(d.spaceId), deploymentId && `deployments/${deploymentId}`);
  return reading;
}

/** The reading of one source: an event or step output (`{type, data}`), a deploy, Octopus data, or fields by the view's own names. */
function read(source: unknown): Reading {
  const root = obj(source);
  if (!root) return blank();
  const data = obj(root.data);
  const type = str(root.type);
  if (data && type) {
    if (isDeployEvent(type)) return viewOfDeploy(data);
    if (type.startsWith('octopus.deployment.')) return viewOfOctopus(data);
    return read(data);
  }
  if ('serviceAlias' in root || 'deployNumber' in root || 'deployedAt' in root) return viewOfDeploy(root);
  if ('taskState' in root || ('category' in root && 'deploymentId' in root)) return viewOfOctopus(root);
  const reading = blank();
  for (const field of FIELDS) reading.view[field] = str(root[field]) ?? str(obj(root[field])?.name);
  return reading;
}

/** The view of one source (an event, a step output, a deploy). */
export function viewOf(source: unknown): DeployView {
  const { view } = read(source);
  return { ...view, status: normalStatus(view.status) };
}

/** Values of `over` win, except an id over a name. */
function merge(base: Reading, over: Reading): Reading {
  const out: Reading = { view: { ...base.view }, weak: new Set(base.weak) };
  for (const field of FIELDS) {
    const value = over.view[field];
    if (value === null || value === '') continue;
    const weak = over.weak.has(field);
    if (weak && out.view[field] !== null && !out.weak.has(field)) continue;
    out.view[field] = value;
    if (weak) out.weak.add(field);
    else out.weak.delete(field);
  }
  return out;
}

/**
 * The view for a step: the triggering event, then what `deploy.from` holds (a step output passed
 * as JSON), then the explicit fields of `deploy`. Throws NonRetriableError when `from` is not JSON.
 */
export function deployView(event: ShiplineEvent, overrides: DeployOverridesValue | undefined, action: string): DeployView {
  let reading = read(event);
  const from = overrides?.from?.trim();
  if (from) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(from);
    } catch {
      // `{{ steps.x.output }}` renders an object as "[object Object]": say what works instead.
      const hint = from.startsWith('[object') ? '; render objects with the json filter: "{{ steps.<id>.output | json }}"' : '';
      throw new NonRetriableError(`${action}: deploy.from must be JSON (an event, a step output or a deploy)${hint}`);
    }
    if (!obj(parsed))
      throw new NonRetriableError(`${action}: deploy.from must be a JSON object, not ${Array.isArray(parsed) ? 'a list' : typeof parsed}`);
    reading = merge(reading, read(parsed));
  }
  const explicit = blank();
  for (const field of FIELDS) explicit.view[field] = overrides?.[field] ?? null;
  const view = merge(reading, explicit).view;
  return { ...view, status: normalStatus(view.status) };
}

/** `1f0e9d8c7b6a…` → `1f0e9d8`. */
export function shortSha(sha: string): string {
  return /^[0-9a-f]{12,}$/i.test(sha) ? sha.slice(0, 7) : sha;
}

/** One line in plain text: "checkout 1.4.2 deployed to production". */
export function summary(view: DeployView): string {
  const what = [view.service ?? 'A deploy', view.version].filter(Boolean).join(' ');
  const where = view.environment ?? 'an unnamed environment';
  switch (view.status) {
    case 'queued':
      return `${what} is queued for ${where}`;
    case 'started':
      return `Deploying ${what} to ${where}`;
    case 'succeeded':
      return `${what} deployed to ${where}`;
    case 'failed':
      return `${what} failed to deploy to ${where}`;
    case null:
      return `${what} → ${where}`;
    default:
      return `${what} → ${where}: ${view.status}`;
  }
}

/** The status as a word for a fact: "Succeeded", "Failed"... */
export function statusLabel(status: string | null): string | null {
  if (!status) return null;
  return status.charAt(0).toUpperCase() + status.slice(1);
}

// ---- the facts a marker or an email sends ----

/** Fields an event lacks are null. */
export interface DeployFacts {
  /** The service's name, else its alias (deploys) or the project's name (Octopus). */
  service: string | null;
  environment: string | null;
  /** The deploy number (deploys) or the release version (Octopus). */
  version: string | null;
  status: string | null;
  commitSha: string | null;
  commitMessage: string | null;
  branch: string | null;
  /** The deploy's URL, or the Octopus task's page. */
  url: string | null;
  /** Who deployed: email, else name. */
  user: string | null;
  description: string | null;
  /** When it happened (ISO 8601): deployedAt, occurredAt, else the event's timestamp. */
  at: string;
  /** The deploy's id, or the Octopus deployment id. */
  id: string | null;
}

/** The facts of an event: Octopus data for `octopus.*` events, a deploy for any other. */
export function deployFacts(event: ShiplineEvent): DeployFacts {
  const data = obj(event.data) ?? {};
  return event.type.startsWith('octopus.') ? octopusFacts(event, data) : deployRecordFacts(event, data);
}

function deployRecordFacts(event: ShiplineEvent, d: Record<string, unknown>): DeployFacts {
  const commit = obj(d.commit) ?? {};
  const deployer = obj(d.deployer) ?? {};
  return {
    service: text(obj(d.service)?.name) ?? text(d.serviceAlias) ?? (typeof d.service === 'string' ? text(d.service) : null),
    environment: text(d.environment),
    version: text(d.deployNumber) ?? text(d.version),
    status: text(d.status),
    commitSha: text(commit.sha),
    commitMessage: text(commit.message),
    branch: text(commit.branch),
    url: text(d.deployUrl),
    user: text(deployer.email) ?? text(deployer.name),
    description: text(d.description),
    at: text(d.deployedAt) ?? event.timestamp,
    id: text(d.id),
  };
}

function octopusFacts(event: ShiplineEvent, d: Record<string, unknown>): DeployFacts {
  const task = text(d.taskId);
  const space = text(d.spaceId);
  return {
    service: text(d.projectName),
    environment: text(d.environmentName),
    version: text(d.releaseVersion),
    status: OCTOPUS_STATUS[text(d.category) ?? ''] ?? null,
    commitSha: null,
    commitMessage: null,
    branch: null,
    // The task page: where a person sees the deployment's log.
    url: octopusPage(text(d.serverUri), space && encodeURIComponent(space), task && `tasks/${encodeURIComponent(task)}`),
    // The Octopus user of the event (`system` when Octopus itself acted).
    user: text(d.username),
    description: text(d.message),
    // In UTC, also for events stored before Octopus's offsets were converted.
    at: utc(text(d.occurredAt)) ?? utc(text(d.timestamp)) ?? event.timestamp,
    id: text(d.deploymentId),
  };
}

/** Epoch milliseconds of an ISO 8601 time or a string of digits (ms); null when neither. */
export function epochMs(value: string): number | null {
  const trimmed = value.trim();
  if (/^\d{1,16}$/.test(trimmed)) return Number(trimmed);
  const ms = Date.parse(trimmed);
  return Number.isNaN(ms) ? null : ms;
}
