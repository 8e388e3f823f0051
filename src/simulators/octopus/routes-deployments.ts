import type { FastifyInstance } from 'fastify';
import { collection, inIds } from './collection.js';
import type { SimContext } from './context.js';
import { queueDeployment } from './deployments.js';
import { badReference, executionNotFound, invalid, notFound } from './errors.js';
import { findById, findEnvironment, findProject, findReleaseByVersion, findSpace, findTenant, requireById } from './lookup.js';
import { deploymentResource } from './resources-activity.js';
import { scopedRoute } from './scope.js';
import type { ScopedRequest } from './scope.js';
import { idNumber } from './state.js';
import type { SimDeployment, SimEnvironment, SimRelease, SimSpace, SimTenant } from './types.js';

/**
 * The space an executions-API command runs in: the URL's when it names one, else the body's
 * `SpaceIdOrName` (or `SpaceId`), else the default space.
 */
export function executionSpace(r: ScopedRequest): SimSpace {
  if (r.explicit) return r.space;
  const named = r.body.string('SpaceIdOrName') ?? r.body.string('SpaceId');
  if (named === undefined) return r.space;
  const space = findSpace(r.ctx.state, named);
  if (!space) throw notFound('space', named);
  return space;
}

/** The release and environments an executions-API deploy command names. */
function executionTargets(
  r: ScopedRequest,
  space: SimSpace,
  environmentNames: string[],
): { release: SimRelease; environments: SimEnvironment[] } {
  const { state } = r.ctx;
  const projectName = r.body.string('ProjectName');
  const version = r.body.string('ReleaseVersion');
  if (!projectName) throw invalid('ProjectName must be specified.');
  if (!version) throw invalid('ReleaseVersion must be specified.');
  if (environmentNames.length === 0) throw invalid('At least one environment name must be specified.');
  const project = findProject(state, space.id, projectName);
  if (!project) throw executionNotFound('project', projectName);
  const release = findReleaseByVersion(state, project.id, version);
  if (!release) throw executionNotFound('release', version);
  const environments = environmentNames.map((name) => {
    const env = findEnvironment(state, space.id, name);
    if (!env) throw executionNotFound('environment', name);
    return env;
  });
  return { release, environments };
}

function serverTasks(deployments: SimDeployment[]): Record<string, unknown> {
  return { DeploymentServerTasks: deployments.map((d) => ({ DeploymentId: d.id, ServerTaskId: d.taskId })) };
}

export function registerDeploymentRoutes(app: FastifyInstance, ctx: SimContext): void {
  scopedRoute(app, ctx, 'GET', '/deployments', (r) => {
    const q = r.query;
    const [ids, projects, environments, tenants, channels, states] = [
      'ids',
      'projects',
      'environments',
      'tenants',
      'channels',
      'taskState',
    ].map((n) => q.list(n));
    const taskStates = new Map(ctx.state.tasks.map((t) => [t.id, t.state.toLowerCase()]));
    const deployments = ctx.state.deployments
      .filter((d) => d.spaceId === r.space.id)
      .filter((d) => inIds(d.id, ids ?? []) && inIds(d.projectId, projects ?? []) && inIds(d.environmentId, environments ?? []))
      .filter((d) => inIds(d.tenantId, tenants ?? []) && inIds(d.channelId, channels ?? []))
      .filter((d) => !states?.length || states.some((s) => s.toLowerCase() === taskStates.get(d.taskId)))
      .sort((a, b) => idNumber(b.id) - idNumber(a.id));
    return collection(
      'Deployment',
      deployments.map(deploymentResource),
      q,
      r.spacePath('/deployments'),
      'skip,take,ids,projects,environments,tenants,channels,taskState,partialName',
    );
  });
  scopedRoute(app, ctx, 'GET', '/deployments/:id', (r) =>
    deploymentResource(requireById(ctx.state.deployments, r.space.id, r.params.id ?? '', 'deployment')),
  );

  // The classic endpoint: 201 with the deployment; a bad reference is a 400 naming it.
  scopedRoute(app, ctx, 'POST', '/deployments', (r) => {
    const releaseId = r.body.string('ReleaseId');
    const environmentId = r.body.string('EnvironmentId');
    if (!releaseId) throw invalid('Please specify the release to deploy (ReleaseId).');
    if (!environmentId) throw invalid('Please specify the environment to deploy to (EnvironmentId).');
    const release = findById(ctx.state.releases, r.space.id, releaseId);
    if (!release) throw badReference(`The release '${releaseId}' could not be found.`);
    const environment = findById(ctx.state.environments, r.space.id, environmentId);
    if (!environment) throw badReference(`The environment '${environmentId}' could not be found.`);
    const tenantId = r.body.string('TenantId');
    const tenant = tenantId === undefined ? null : findById(ctx.state.tenants, r.space.id, tenantId);
    if (tenant === undefined) throw badReference(`The tenant '${tenantId}' could not be found.`);
    const machines = (field: string) =>
      (r.body.strings(field) ?? []).map((id) => {
        const machine = findById(ctx.state.machines, r.space.id, id);
        if (!machine) throw badReference(`The machine '${id}' could not be found.`);
        return machine.id;
      });
    const specificMachineIds = machines('SpecificMachineIds');
    const excludedMachineIds = machines('ExcludedMachineIds');
    const deployment = queueDeployment(ctx, {
      specificMachineIds,
      excludedMachineIds,
      release,
      environment,
      tenant,
      comments: r.body.string('Comments') ?? null,
      formValues: r.body.record('FormValues') ?? {},
      actor: r.actor(),
    });
    r.reply.code(201);
    return deploymentResource(deployment);
  });

  // The executions API (what the official client calls): 200 with the new deployments' task ids.
  scopedRoute(app, ctx, 'POST', '/deployments/create/untenanted/v1', (r) => {
    const space = executionSpace(r);
    const { release, environments } = executionTargets(r, space, r.body.strings('EnvironmentNames') ?? []);
    const formValues = r.body.record('Variables') ?? {};
    const deployments = environments.map((environment) =>
      queueDeployment(ctx, { release, environment, tenant: null, comments: null, formValues, actor: r.actor() }),
    );
    return serverTasks(deployments);
  });

  scopedRoute(app, ctx, 'POST', '/deployments/create/tenanted/v1', (r) => {
    const space = executionSpace(r);
    const environmentName = r.body.string('EnvironmentName');
    const { release, environments } = executionTargets(r, space, environmentName ? [environmentName] : []);
    const [environment] = environments as [SimEnvironment];
    const tenants: SimTenant[] = (r.body.strings('Tenants') ?? []).map((name) => {
      const tenant = findTenant(ctx.state, space.id, name);
      if (!tenant) throw executionNotFound('tenant', name);
      return tenant;
    });
    if (tenants.length === 0) throw invalid('At least one tenant must be specified.');
    const formValues = r.body.record('Variables') ?? {};
    const deployments = tenants.map((tenant) =>
      queueDeployment(ctx, { release, environment, tenant, comments: null, formValues, actor: r.actor() }),
    );
    return serverTasks(deployments);
  });
}
