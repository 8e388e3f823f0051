import type { SimContext } from './context.js';
import { badReference } from './errors.js';
import { recordEvent } from './events.js';
import type { DeploymentContext } from './messages.js';
import { deploymentName, deploymentRelatedIds, queuedMessage, taskDescription } from './messages.js';
import { nextId } from './state.js';
import type { SimActor, SimDeployment, SimEnvironment, SimRelease, SimState, SimTenant, SimTask } from './types.js';

/**
 * Queuing a deployment, shared by the classic endpoint and the executions API: the deployment,
 * its server task, the DeploymentQueued event, then the task's scripted life.
 */

export interface NewDeployment {
  release: SimRelease;
  environment: SimEnvironment;
  tenant: SimTenant | null;
  comments: string | null;
  formValues: Record<string, unknown>;
  actor: SimActor;
  /** `SpecificMachineIds` / `ExcludedMachineIds`, already checked to be targets of the space. */
  specificMachineIds?: string[];
  excludedMachineIds?: string[];
}

/** The documents a deployment refers to, for messages and related ids; undefined if any is gone. */
export function deploymentContextOf(state: SimState, deploymentId: string): DeploymentContext | undefined {
  const deployment = state.deployments.find((d) => d.id === deploymentId);
  if (!deployment) return undefined;
  const project = state.projects.find((p) => p.id === deployment.projectId);
  const release = state.releases.find((r) => r.id === deployment.releaseId);
  const environment = state.environments.find((e) => e.id === deployment.environmentId);
  const tenant = deployment.tenantId === null ? null : (state.tenants.find((t) => t.id === deployment.tenantId) ?? null);
  if (!project || !release || !environment) return undefined;
  return { deployment, project, release, environment, tenant };
}

/** Checks that a tenant may be deployed to, as Octopus does before queuing. */
function checkTenant(state: SimState, release: SimRelease, environment: SimEnvironment, tenant: SimTenant | null): void {
  if (!tenant) return;
  const environments = tenant.projectEnvironments[release.projectId];
  if (environments === undefined) {
    throw badReference(`The tenant ${tenant.name} is not connected to the project of release ${release.version}.`);
  }
  if (!environments.includes(environment.id)) {
    throw badReference(`The tenant ${tenant.name} is not connected to the ${environment.name} environment for this project.`);
  }
}

export function queueDeployment(ctx: SimContext, input: NewDeployment): SimDeployment {
  const { state } = ctx;
  const { release, environment, tenant } = input;
  checkTenant(state, release, environment, tenant);
  const project = state.projects.find((p) => p.id === release.projectId);
  if (!project) throw badReference(`The project of release ${release.id} no longer exists.`);
  const now = Date.now();
  const deployment: SimDeployment = {
    id: nextId(state, 'Deployments'),
    spaceId: release.spaceId,
    projectId: release.projectId,
    releaseId: release.id,
    environmentId: environment.id,
    channelId: release.channelId,
    tenantId: tenant?.id ?? null,
    taskId: nextId(state, 'ServerTasks'),
    name: deploymentName(environment, tenant),
    specificMachineIds: input.specificMachineIds ?? [],
    excludedMachineIds: input.excludedMachineIds ?? [],
    comments: input.comments,
    formValues: input.formValues,
    created: now,
    deployedBy: input.actor.username,
    deployedById: input.actor.userId,
  };
  const task: SimTask = {
    id: deployment.taskId,
    spaceId: deployment.spaceId,
    deploymentId: deployment.id,
    projectId: deployment.projectId,
    description: taskDescription({ project, release, environment, tenant }),
    state: 'Queued',
    queueTime: now,
    startTime: null,
    completedTime: null,
    lastUpdated: now,
    errorMessage: null,
    hasWarningsOrErrors: false,
  };
  state.deployments.push(deployment);
  state.tasks.push(task);
  const c: DeploymentContext = { deployment, project, release, environment, tenant };
  recordEvent(ctx, {
    category: 'DeploymentQueued',
    spaceId: deployment.spaceId,
    message: queuedMessage(c),
    relatedDocumentIds: deploymentRelatedIds(c),
    actor: input.actor,
    occurred: now,
  });
  ctx.tasks.start(ctx, task, ctx.outcomes.take(c));
  return deployment;
}
