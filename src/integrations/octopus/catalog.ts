import type { DeployStatus } from '../../core/vocabulary.js';
import type { SqlRunner } from '../../store/database.js';
import type { Store } from '../../store/index.js';
import type { ConnectionWithSecrets } from '../../store/connections.js';

/**
 * Every Octopus deployment Shipline sees is one deploy in the catalog, keyed by the connection
 * and the deployment id; its status follows the events and never moves backwards (a late or
 * repeated "started" after "succeeded" changes nothing).
 */

export interface ObservedDeployment {
  deploymentId: string;
  status: DeployStatus;
  projectName: string | null;
  projectSlug: string | null;
  projectId: string | null;
  environmentName: string | null;
  environmentId: string | null;
  releaseVersion: string | null;
  releaseId: string | null;
  occurredAt: string;
  message: string;
  webUrl: string | null;
}

const RANK: Record<DeployStatus, number> = { queued: 0, started: 1, succeeded: 2, failed: 2 };

export const STATUS_OF_CATEGORY: Record<string, DeployStatus> = {
  DeploymentQueued: 'queued',
  DeploymentStarted: 'started',
  DeploymentSucceeded: 'succeeded',
  DeploymentFailed: 'failed',
};

export const catalogDedupId = (connectionId: string, deploymentId: string) => `octopus:${connectionId}:${deploymentId}`;

export function tracksDeploys(connection: ConnectionWithSecrets): boolean {
  return (connection.config as { trackDeploys?: boolean }).trackDeploys !== false;
}

/** Records or advances the deploy in the caller's transaction (which also stores its events). */
export async function observeDeployment(run: SqlRunner, store: Store, connection: ConnectionWithSecrets, seen: ObservedDeployment, now: string): Promise<void> {
  const dedupId = catalogDedupId(connection.id, seen.deploymentId);
  const [existing] = await run.query<{ id: string; status: DeployStatus }>('SELECT id, status FROM deploys WHERE dedup_id = ?', [dedupId]);
  if (existing) {
    if (RANK[seen.status] > RANK[existing.status]) await run.query('UPDATE deploys SET status = ? WHERE id = ?', [seen.status, existing.id]);
    return;
  }
  const candidates = [seen.projectName, seen.projectSlug].filter((a): a is string => !!a);
  let alias = seen.projectSlug ?? seen.projectName ?? seen.projectId ?? 'unknown-octopus-project';
  if (candidates.length > 0) {
    const known = await run.query<{ alias: string }>(`SELECT alias FROM service_aliases WHERE alias IN (${candidates.map(() => '?').join(', ')})`, candidates);
    const found = candidates.find((c) => known.some((k) => k.alias === c));
    if (found) alias = found;
  }
  await store.ingest.recordIn(run, connection.endpointId, {
    service: alias,
    description: seen.message || `Octopus deployment ${seen.deploymentId}`,
    deployedAt: seen.occurredAt,
    environment: seen.environmentName ?? seen.environmentId,
    deployUrl: seen.webUrl,
    deployNumber: seen.releaseVersion ?? seen.releaseId,
    dedupId,
    deployer: { id: null, email: null, name: null },
    commit: null,
    status: seen.status,
    source: 'octopus',
  }, now);
}
