import type { DeployStatus } from '../../core/vocabulary.js';
import type { Connection } from '../../core/connection.js';
import type { HostTransaction } from '../connection-host.js';

/**
 * Every Octopus deployment Shipline sees is one deploy in the catalog, keyed by the connection
 * and the deployment id; its status (and with it its description) follows the events and never
 * moves backwards. Its deployer is the Octopus user of the event.
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
  /** Octopus's own words for what happened ("Deploy to Production succeeded for …"); empty when it gave none. */
  message: string;
  /** The Octopus user who deployed (the event's Username / UserId). */
  username: string | null;
  userId: string | null;
  webUrl: string | null;
}

export const STATUS_OF_CATEGORY: Record<string, DeployStatus> = {
  DeploymentQueued: 'queued',
  DeploymentStarted: 'started',
  DeploymentSucceeded: 'succeeded',
  DeploymentFailed: 'failed',
};

export const catalogDedupId = (connectionId: string, deploymentId: string) => `octopus:${connectionId}:${deploymentId}`;

export function tracksDeploys(connection: Connection): boolean {
  return (connection.config as { trackDeploys?: boolean }).trackDeploys !== false;
}

/** Records or advances the deploy in the caller's transaction (which also stores its events). */
export async function observeDeployment(tx: HostTransaction, connection: Connection, seen: ObservedDeployment, now: string): Promise<void> {
  // The service is the project: by name, then slug, among the aliases; unknown → a suggestion under the slug.
  await tx.recordDeploy(
    connection,
    {
      dedupId: catalogDedupId(connection.id, seen.deploymentId),
      status: seen.status,
      source: 'octopus',
      aliasCandidates: [seen.projectName, seen.projectSlug].filter((a): a is string => !!a),
      input: {
        service: seen.projectSlug ?? seen.projectName ?? seen.projectId ?? 'unknown-octopus-project',
        // The description follows the deployment's state: each status the catalog advances to brings its own message.
        description: seen.message || `Octopus deployment ${seen.deploymentId} ${seen.status}`,
        deployedAt: seen.occurredAt,
        environment: seen.environmentName ?? seen.environmentId,
        deployUrl: seen.webUrl,
        deployNumber: seen.releaseVersion ?? seen.releaseId,
        deployer: { id: seen.userId, email: null, name: seen.username },
        commit: null,
      },
    },
    now,
  );
}
