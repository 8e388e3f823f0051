import type { ShiplineEvent } from '../../core/vocabulary.js';
import { obj } from '../../core/objects.js';
import { isWebUrl, trimTrailingSlashes } from '../../core/urls.js';

/**
 * What a PagerDuty event says when the step leaves it out, read from the triggering event: a
 * `deploy.recorded` deploy or an `octopus.deployment.*` event. Any other event gives no defaults
 * (the step must then name a summary, and a dedup_key to acknowledge or resolve).
 */

export interface Link {
  href: string;
  text?: string;
}

export interface EventDefaults {
  summary?: string;
  /** `shipline/<service>/<environment>`: the same for a failure and the next deploy, so a later resolve matches. */
  dedupKey?: string;
  timestamp?: string;
  component?: string;
  group?: string;
  customDetails?: Record<string, unknown>;
  links?: Link[];
  /** For change events, whose wording differs for a success. */
  status?: string;
}

type Data = Record<string, unknown>;

const str = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value : typeof value === 'number' ? String(value) : undefined;

/** Drops null/undefined/empty entries so custom_details shows only what is known. */
function compact(entries: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined && v !== null && v !== ''));
}

/** The dedup key for a service in an environment (PagerDuty allows 255 characters). */
export function dedupKeyFor(service: string, environment: string | undefined, tenant?: string): string {
  return ['shipline', service, environment ?? 'default', ...(tenant ? [tenant] : [])].join('/').slice(0, 255);
}

const STATUS_WORDS: Record<string, string> = { succeeded: 'succeeded', failed: 'failed', started: 'started', queued: 'queued' };

function fromDeploy(event: ShiplineEvent): EventDefaults {
  const d = (obj(event.data) ?? {}) as Data;
  const service = str(obj(d.service)?.name) ?? str(d.serviceAlias) ?? 'unknown service';
  const environment = str(d.environment);
  const number = str(d.deployNumber);
  const status = str(d.status) ?? 'succeeded';
  const commit = obj(d.commit);
  const deployer = obj(d.deployer);
  const deployUrl = str(d.deployUrl);
  const what = `${service}${number ? ` #${number}` : ''}`;
  const where = environment ? ` to ${environment}` : '';
  return {
    summary: `Deploy ${what}${where} ${STATUS_WORDS[status] ?? status}`,
    dedupKey: dedupKeyFor(service, environment),
    timestamp: str(d.deployedAt) ?? event.timestamp,
    component: service,
    ...(environment ? { group: environment } : {}),
    customDetails: compact({
      service,
      environment,
      status,
      deploy_number: number,
      description: str(d.description),
      deployer: str(deployer?.name) ?? str(deployer?.email),
      commit: str(commit?.sha),
      branch: str(commit?.branch),
      commit_message: str(commit?.message),
      source: str(d.source),
      deploy_id: str(d.id),
    }),
    ...(isWebUrl(deployUrl) ? { links: [{ href: deployUrl, text: 'Deploy' }] } : {}),
    status,
  };
}

const OCTOPUS_STATUS: Record<string, string> = {
  DeploymentSucceeded: 'succeeded',
  DeploymentFailed: 'failed',
  DeploymentStarted: 'started',
  DeploymentQueued: 'queued',
};

function fromOctopus(event: ShiplineEvent): EventDefaults {
  const d = (obj(event.data) ?? {}) as Data;
  const project = str(d.projectName) ?? str(d.projectId) ?? 'unknown project';
  const environment = str(d.environmentName) ?? str(d.environmentId);
  const release = str(d.releaseVersion);
  const category = str(d.category) ?? str(d.eventType);
  const status = (category && OCTOPUS_STATUS[category]) ?? event.type.split('.').at(-1) ?? 'finished';
  const server = str(d.serverUri);
  const serverUri = server === undefined ? undefined : trimTrailingSlashes(server);
  const spaceId = str(d.spaceId);
  const deploymentId = str(d.deploymentId);
  const webUrl = serverUri && spaceId && deploymentId ? `${serverUri}/app#/${spaceId}/deployments/${deploymentId}` : undefined;
  const fallback = `Deploy ${project}${release ? ` ${release}` : ''}${environment ? ` to ${environment}` : ''} ${status}`;
  return {
    summary: str(d.message) ?? fallback,
    dedupKey: dedupKeyFor(project, environment, str(d.tenantId)),
    timestamp: str(d.occurredAt) ?? str(d.timestamp) ?? event.timestamp,
    component: project,
    ...(environment ? { group: environment } : {}),
    customDetails: compact({
      project,
      environment,
      release: release ?? str(d.releaseId),
      status,
      category,
      deployment_id: deploymentId,
      task_id: str(d.taskId),
      tenant_id: str(d.tenantId),
      space_id: spaceId,
    }),
    ...(isWebUrl(webUrl) ? { links: [{ href: webUrl, text: 'Octopus deployment' }] } : {}),
    status,
  };
}

export function defaultsFrom(event: ShiplineEvent): EventDefaults {
  if (event.type === 'deploy.recorded') return fromDeploy(event);
  if (event.type.startsWith('octopus.deployment.')) return fromOctopus(event);
  return {};
}

/** PagerDuty caps summary at 1,024 characters; a longer one is cut rather than refused. */
export const MAX_SUMMARY = 1024;

export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
