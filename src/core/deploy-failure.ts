import type { Deploy } from './vocabulary.js';

/**
 * `deploy.failed`: the one event saying a deploy failed, whatever found it (its source reporting
 * it failed, or someone marking it), stored once each time a deploy becomes failed, in the
 * transaction that made it so. Its data is the deploy as it now reads plus `failure`.
 */
export const DEPLOY_FAILED = 'deploy.failed';

export interface DeployFailureCause {
  /** `mark` (someone marked it), else the deploy's source that reported it: `custom`, `octopus`, `github`, ... */
  source: string;
  /** The mark's reason, or the source's description of the deploy. */
  reason: string;
  /** Who marked it (a token's or user's name); null for a reported failure. */
  markedBy: string | null;
}

/** The subject (events.subject) of the events about one deploy by its Shipline id. */
export const deploySubject = (deployId: string): string => `deploy:${deployId}`;

export function deployFailedData(deploy: Deploy, failure: DeployFailureCause): Deploy & { failure: DeployFailureCause } {
  return { ...deploy, failure };
}

/** The cause of a failure its source reported. */
export function reportedFailure(deploy: Pick<Deploy, 'source' | 'description'>): DeployFailureCause {
  return { source: deploy.source, reason: deploy.description, markedBy: null };
}
