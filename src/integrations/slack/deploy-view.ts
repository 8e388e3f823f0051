import { Type } from 'typebox';
import type { ShiplineEvent } from '../../core/vocabulary.js';
import { NonRetriableError } from '../../engine/action.js';

/**
 * What a deploy message shows, read from whichever event started the run: a `deploy.recorded`
 * deploy, an `octopus.deployment.*` event, the `octopus.deployment.finished` output of
 * `octopus.deployRelease`, or any event whose data has fields of those names. Chat layouts
 * (Slack blocks, Teams Adaptive Cards) are drawn from this one view, so they agree.
 */
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

/** The `deploy` setting of the chat actions: where the layout reads from, and fields to override. */
export const DeployOverrides = Type.Object(
  {
    from: Type.Optional(
      Type.String({
        description:
          'JSON of an event, a step output or a deploy whose fields replace the triggering event\'s, e.g. "{{ steps.deploy.output | json }}"',
      }),
    ),
    service: Type.Optional(Type.String({ description: 'The service name shown' })),
    environment: Type.Optional(Type.String({ description: 'The environment shown' })),
    version: Type.Optional(Type.String({ description: 'The version (release, deploy number) shown' })),
    status: Type.Optional(Type.String({ description: 'queued, started, succeeded or failed (picks the colour; Success, Failed, Canceled... are understood)' })),
    deployer: Type.Optional(Type.String({ description: 'Who deployed' })),
    commit: Type.Optional(Type.String({ description: 'The commit SHA' })),
    commitMessage: Type.Optional(Type.String({ description: 'The commit message' })),
    commitUrl: Type.Optional(Type.String({ description: 'A link to the commit' })),
    url: Type.Optional(Type.String({ description: 'A link to the deploy' })),
  },
  {
    additionalProperties: false,
    description: 'What the deploy layout shows; by default read from the triggering event',
  },
);

export type DeployOverridesValue = Partial<Record<(typeof FIELDS)[number] | 'from', string>>;

const EMPTY: DeployView = {
  service: null, environment: null, version: null, status: null, deployer: null, commit: null, commitMessage: null, commitUrl: null, url: null,
};

const OCTOPUS_STATUS: Record<string, string> = {
  DeploymentQueued: 'queued',
  DeploymentStarted: 'started',
  DeploymentSucceeded: 'succeeded',
  DeploymentFailed: 'failed',
};

/** Status words of CI systems and Octopus task states, as the four deploy statuses. */
const STATUS_WORDS: Record<string, string> = {
  success: 'succeeded', successful: 'succeeded', succeeded: 'succeeded', ok: 'succeeded', passed: 'succeeded',
  failure: 'failed', failed: 'failed', error: 'failed', errored: 'failed', canceled: 'failed', cancelled: 'failed', timedout: 'failed',
  started: 'started', running: 'started', executing: 'started', in_progress: 'started', inprogress: 'started',
  queued: 'queued', pending: 'queued', waiting: 'queued',
};

function normalStatus(status: string | null): string | null {
  return status === null ? null : (STATUS_WORDS[status.trim().toLowerCase().replace(/[\s-]+/g, '_')] ?? status);
}

const obj = (v: unknown): Record<string, unknown> | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null);

/**
 * A view as read from one source. Ids stand in for names the source lacks (`Projects-123` for
 * the project name): they are `weak`, and any name found in another source wins over them.
 */
interface Reading {
  view: DeployView;
  weak: Set<Field>;
}

type Field = (typeof FIELDS)[number];

/** The first name, else the id (weak). */
function nameOr(reading: Reading, field: Field, name: string | null, id: string | null): void {
  reading.view[field] = name ?? id;
  if (name === null && id !== null) reading.weak.add(field);
}

const blank = (): Reading => ({ view: { ...EMPTY }, weak: new Set() });

/** A `deploy.recorded` deploy (the commit read in either spelling: the API's camelCase or the webhook's snake_case). */
function fromDeploy(d: Record<string, unknown>): Reading {
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
function fromOctopus(d: Record<string, unknown>): Reading {
  const reading = blank();
  nameOr(reading, 'service', str(d.projectName), str(d.projectId));
  nameOr(reading, 'environment', str(d.environmentName), str(d.environmentId));
  nameOr(reading, 'version', str(d.releaseVersion), str(d.releaseId));
  const state = str(d.taskState);
  const category = str(d.category) ?? str(d.eventType);
  if (state !== null) reading.view.status = state === 'Success' ? 'succeeded' : 'failed';
  else if (category !== null) reading.view.status = OCTOPUS_STATUS[category] ?? category;
  const server = str(d.serverUri)?.replace(/\/+$/, '');
  const deploymentId = str(d.deploymentId);
  const space = str(d.spaceId);
  reading.view.url = str(d.webUrl) ?? (server && deploymentId ? `${server}/app#/${space ? `${space}/` : ''}deployments/${deploymentId}` : null);
  return reading;
}

/** Any other data: fields read by the view's own names. */
function fromFields(d: Record<string, unknown>): Reading {
  const reading = blank();
  for (const field of FIELDS) reading.view[field] = str(d[field]) ?? str(obj(d[field])?.name);
  return reading;
}

/** The reading of one source: an event or step output (`{type, data}`), or bare data. */
function read(source: unknown): Reading {
  const root = obj(source);
  if (!root) return blank();
  const data = obj(root.data);
  const type = str(root.type);
  if (data && type) {
    if (type === 'deploy.recorded') return fromDeploy(data);
    if (type.startsWith('octopus.deployment.')) return fromOctopus(data);
    return read(data);
  }
  if ('serviceAlias' in root || 'deployNumber' in root || 'deployedAt' in root) return fromDeploy(root);
  if ('taskState' in root || ('category' in root && 'deploymentId' in root)) return fromOctopus(root);
  return fromFields(root);
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
    if (!obj(parsed)) throw new NonRetriableError(`${action}: deploy.from must be a JSON object, not ${Array.isArray(parsed) ? 'a list' : typeof parsed}`);
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
