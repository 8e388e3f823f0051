import type { FastifyInstance } from 'fastify';
import { collection, inIds } from './collection.js';
import type { SimContext } from './context.js';
import { badReference, executionNotFound, invalid, notFound } from './errors.js';
import { findChannel, findProject, findReleaseByVersion, requireById, requireProject, sameId } from './lookup.js';
import { createRelease, projectReleases } from './releases.js';
import { deploymentResource } from './resources-activity.js';
import { releaseResource } from './resources-model.js';
import { executionSpace } from './routes-deployments.js';
import { scopedRoute } from './scope.js';
import { idNumber } from './state.js';
import type { SimSelectedPackage } from './types.js';

/** `Step:1.2.3` or `Step:PackageRef:1.2.3` (the executions API's `Packages`) → a selected package. */
function packageFromSpec(spec: string): SimSelectedPackage | undefined {
  const parts = spec.split(':');
  const version = parts.pop();
  const step = parts[0];
  if (!step || !version) return undefined;
  return { actionName: step, stepName: step, version };
}

export function registerReleaseRoutes(app: FastifyInstance, ctx: SimContext): void {
  scopedRoute(app, ctx, 'GET', '/projects/:projectId/releases', (r) => {
    const project = requireProject(ctx.state, r.space.id, r.params.projectId ?? '');
    const search = r.query.string('searchByVersion');
    const releases = projectReleases(ctx.state, project.id).filter((rel) => search === undefined || rel.version.includes(search));
    return collection(
      'Release',
      releases.map(releaseResource),
      r.query,
      r.spacePath(`/projects/${project.id}/releases`),
      'skip,take,searchByVersion',
    );
  });
  scopedRoute(app, ctx, 'GET', '/projects/:projectId/releases/:version', (r) => {
    const project = requireProject(ctx.state, r.space.id, r.params.projectId ?? '');
    const release = findReleaseByVersion(ctx.state, project.id, r.params.version ?? '');
    if (!release) throw notFound('release', r.params.version ?? '');
    return releaseResource(release);
  });
  scopedRoute(app, ctx, 'GET', '/releases', (r) => {
    const ids = r.query.list('ids');
    const releases = ctx.state.releases
      .filter((rel) => rel.spaceId === r.space.id && inIds(rel.id, ids))
      .sort((a, b) => idNumber(b.id) - idNumber(a.id));
    return collection('Release', releases.map(releaseResource), r.query, r.spacePath('/releases'), 'skip,ignoreChannelRules,take,ids');
  });
  scopedRoute(app, ctx, 'GET', '/releases/:id', (r) =>
    releaseResource(requireById(ctx.state.releases, r.space.id, r.params.id ?? '', 'release')),
  );
  scopedRoute(app, ctx, 'GET', '/releases/:id/deployments', (r) => {
    const release = requireById(ctx.state.releases, r.space.id, r.params.id ?? '', 'release');
    const deployments = ctx.state.deployments.filter((d) => d.releaseId === release.id).sort((a, b) => idNumber(b.id) - idNumber(a.id));
    return collection(
      'Deployment',
      deployments.map(deploymentResource),
      r.query,
      r.spacePath(`/releases/${release.id}/deployments`),
      'skip,take',
    );
  });

  // The classic endpoint: 201 with the release.
  scopedRoute(app, ctx, 'POST', '/releases', (r) => {
    const projectId = r.body.string('ProjectId');
    if (!projectId) throw invalid('Please specify the project to create the release for.');
    const project = findProject(ctx.state, r.space.id, projectId);
    if (!project || !sameId(project.id, projectId)) throw badReference(`The project '${projectId}' could not be found.`);
    const channelId = r.body.string('ChannelId');
    const channel = channelId === undefined ? undefined : findChannel(ctx.state, project.id, channelId);
    if (channelId !== undefined && !channel)
      throw badReference(`The channel '${channelId}' could not be found in project ${project.name}.`);
    const selectedPackages = r.body.objects('SelectedPackages').flatMap((p) => {
      const step = p.string('ActionName') ?? p.string('StepName');
      const version = p.string('Version');
      return step && version ? [{ actionName: step, stepName: step, version }] : [];
    });
    const release = createRelease(ctx, {
      project,
      version: r.body.string('Version'),
      channel,
      releaseNotes: r.body.string('ReleaseNotes') ?? null,
      selectedPackages,
      actor: r.actor(),
    });
    r.reply.code(201);
    return releaseResource(release);
  });

  // The executions API the official client uses: names instead of ids, answers {ReleaseId, ReleaseVersion}.
  scopedRoute(app, ctx, 'POST', '/releases/create/v1', (r) => {
    const space = executionSpace(r);
    const projectName = r.body.string('ProjectName');
    if (!projectName) throw invalid('ProjectName must be specified.');
    const project = findProject(ctx.state, space.id, projectName);
    if (!project) throw executionNotFound('project', projectName);
    const channelName = r.body.string('ChannelName');
    const channel = channelName === undefined ? undefined : findChannel(ctx.state, project.id, channelName);
    if (channelName !== undefined && !channel) throw executionNotFound('channel', channelName);
    const version = r.body.string('ReleaseVersion');
    const existing = version === undefined ? undefined : findReleaseByVersion(ctx.state, project.id, version);
    if (existing && r.body.boolean('IgnoreIfAlreadyExists') === true) {
      return { ReleaseId: existing.id, ReleaseVersion: existing.version };
    }
    const selectedPackages = (r.body.strings('Packages') ?? []).flatMap((spec) => packageFromSpec(spec) ?? []);
    const release = createRelease(ctx, {
      project,
      version,
      channel,
      releaseNotes: r.body.string('ReleaseNotes') ?? null,
      selectedPackages,
      actor: r.actor(),
    });
    return { ReleaseId: release.id, ReleaseVersion: release.version };
  });
}
