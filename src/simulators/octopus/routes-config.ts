import type { FastifyInstance } from 'fastify';
import { collection, inIds, matchesPartial } from './collection.js';
import type { Query } from './collection.js';
import type { SimContext } from './context.js';
import { notFound } from './errors.js';
import { findChannel, findEnvironment, findTenant, requireProject, sameId } from './lookup.js';
import { channelResource, environmentResource, projectResource, tenantResource } from './resources-model.js';
import { scopedRoute } from './scope.js';

/** Projects, environments, channels and tenants: read-only, as the seed made them. */

/** The list filters these endpoints share: ids, partialName and an exact (case-insensitive) name. */
function listed<T extends { id: string; name: string }>(items: T[], q: Query): T[] {
  const ids = q.list('ids');
  const partial = q.string('partialName');
  const name = q.string('name');
  return items.filter((i) => inIds(i.id, ids) && matchesPartial(i.name, partial) && (name === undefined || sameId(i.name, name)));
}

export function registerConfigRoutes(app: FastifyInstance, ctx: SimContext): void {
  const inSpace = <T extends { spaceId: string }>(items: T[], spaceId: string) => items.filter((i) => i.spaceId === spaceId);

  scopedRoute(app, ctx, 'GET', '/projects/all', (r) =>
    listed(inSpace(ctx.state.projects, r.space.id), r.query).map((p) => projectResource(p, ctx.state)),
  );
  scopedRoute(app, ctx, 'GET', '/projects', (r) => {
    const items = listed(inSpace(ctx.state.projects, r.space.id), r.query).map((p) => projectResource(p, ctx.state));
    return collection('Project', items, r.query, r.spacePath('/projects'), 'name,skip,ids,clone,take,partialName,clonedFromProjectId');
  });
  scopedRoute(app, ctx, 'GET', '/projects/:id', (r) =>
    projectResource(requireProject(ctx.state, r.space.id, r.params.id ?? ''), ctx.state),
  );

  scopedRoute(app, ctx, 'GET', '/projects/:projectId/channels', (r) => {
    const project = requireProject(ctx.state, r.space.id, r.params.projectId ?? '');
    const items = listed(
      ctx.state.channels.filter((c) => c.projectId === project.id),
      r.query,
    ).map(channelResource);
    return collection('Channel', items, r.query, r.spacePath(`/projects/${project.id}/channels`), 'skip,take,partialName');
  });
  scopedRoute(app, ctx, 'GET', '/projects/:projectId/channels/:id', (r) => {
    const project = requireProject(ctx.state, r.space.id, r.params.projectId ?? '');
    const channel = findChannel(ctx.state, project.id, r.params.id ?? '');
    if (!channel) throw notFound('channel', r.params.id ?? '');
    return channelResource(channel);
  });
  scopedRoute(app, ctx, 'GET', '/channels', (r) => {
    const items = listed(inSpace(ctx.state.channels, r.space.id), r.query).map(channelResource);
    return collection('Channel', items, r.query, r.spacePath('/channels'), 'skip,take,ids,partialName');
  });
  scopedRoute(app, ctx, 'GET', '/channels/:id', (r) => {
    const channel = inSpace(ctx.state.channels, r.space.id).find((c) => sameId(c.id, r.params.id ?? ''));
    if (!channel) throw notFound('channel', r.params.id ?? '');
    return channelResource(channel);
  });

  scopedRoute(app, ctx, 'GET', '/environments/all', (r) =>
    listed(inSpace(ctx.state.environments, r.space.id), r.query).map(environmentResource),
  );
  scopedRoute(app, ctx, 'GET', '/environments', (r) => {
    const items = listed(inSpace(ctx.state.environments, r.space.id), r.query).map(environmentResource);
    return collection('Environment', items, r.query, r.spacePath('/environments'), 'name,skip,ids,take,partialName');
  });
  scopedRoute(app, ctx, 'GET', '/environments/:id', (r) => {
    const env = findEnvironment(ctx.state, r.space.id, r.params.id ?? '');
    if (!env) throw notFound('environment', r.params.id ?? '');
    return environmentResource(env);
  });

  scopedRoute(app, ctx, 'GET', '/tenants/all', (r) => listed(inSpace(ctx.state.tenants, r.space.id), r.query).map(tenantResource));
  scopedRoute(app, ctx, 'GET', '/tenants', (r) => {
    const projectId = r.query.string('projectId');
    const tenants = listed(inSpace(ctx.state.tenants, r.space.id), r.query).filter(
      (t) => projectId === undefined || Object.keys(t.projectEnvironments).some((id) => sameId(id, projectId)),
    );
    return collection(
      'Tenant',
      tenants.map(tenantResource),
      r.query,
      r.spacePath('/tenants'),
      'skip,projectId,name,tags,take,ids,partialName',
    );
  });
  scopedRoute(app, ctx, 'GET', '/tenants/:id', (r) => {
    const tenant = findTenant(ctx.state, r.space.id, r.params.id ?? '');
    if (!tenant) throw notFound('tenant', r.params.id ?? '');
    return tenantResource(tenant);
  });
}
