import type { DeployStatus } from '../../core/vocabulary.js';

/** A deployment Shipline created or learned of, for the deploy catalog. */
export interface DeploymentSeen {
  deploymentId: string;
  status: DeployStatus;
  projectId: string;
  releaseId: string;
  environmentId: string;
  created: string;
  webUrl: string;
  projectName?: string | null;
  projectSlug?: string | null;
  environmentName?: string | null;
  releaseVersion?: string | null;
}
