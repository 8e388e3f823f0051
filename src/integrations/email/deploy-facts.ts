import type { ShiplineEvent } from '../../core/vocabulary.js';

/**
 * What a deploy-shaped event says, read the same way by the email layout and the deployment
 * markers (New Relic, Datadog, Sentry) so their steps can be just `{connection}`: a
 * `deploy.recorded` deploy or an `octopus.deployment.*` event. Fields an event lacks are null.
 * (Shared by several integrations; it lives here until it has a neutral home.)
 */
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

const OCTOPUS_STATUS: Record<string, string> = {
  DeploymentQueued: 'queued',
  DeploymentStarted: 'started',
  DeploymentSucceeded: 'succeeded',
  DeploymentFailed: 'failed',
};

function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

function object(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

export function deployFacts(event: ShiplineEvent): DeployFacts {
  const data = object(event.data);
  return event.type.startsWith('octopus.') ? octopusFacts(event, data) : deployRecordFacts(event, data);
}

function deployRecordFacts(event: ShiplineEvent, d: Record<string, unknown>): DeployFacts {
  const commit = object(d.commit);
  const deployer = object(d.deployer);
  return {
    service: text(object(d.service).name) ?? text(d.serviceAlias) ?? (typeof d.service === 'string' ? text(d.service) : null),
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
  const server = text(d.serverUri)?.replace(/\/+$/, '');
  const task = text(d.taskId);
  const space = text(d.spaceId);
  // The Octopus web UI's task page: where a person sees the deployment's log.
  const url = server && task ? `${server}/app#/${space ? `${encodeURIComponent(space)}/` : ''}tasks/${encodeURIComponent(task)}` : null;
  return {
    service: text(d.projectName),
    environment: text(d.environmentName),
    version: text(d.releaseVersion),
    status: OCTOPUS_STATUS[text(d.category) ?? ''] ?? null,
    commitSha: null,
    commitMessage: null,
    branch: null,
    url,
    user: null,
    description: text(d.message),
    at: text(d.occurredAt) ?? text(d.timestamp) ?? event.timestamp,
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
