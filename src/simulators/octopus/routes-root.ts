import type { FastifyInstance } from 'fastify';
import { collection, matchesPartial, inIds } from './collection.js';
import type { SimContext } from './context.js';
import { notFound } from './errors.js';
import { defaultSpace, findSpace } from './lookup.js';
import { spaceResource, userResource } from './resources-model.js';
import { globalRoute } from './scope.js';

/** The root document's links: the RFC 6570 templates clients follow, default space filled in. */
function rootLinks(spaceId: string): Record<string, string> {
  const s = `/api/${spaceId}`;
  return {
    Self: '/api',
    Channels: `${s}/channels{/id}{?skip,take,ids,partialName}`,
    CurrentUser: '/api/users/me',
    Deployments: `${s}/deployments{/id}{?skip,take,ids,projects,environments,tenants,channels,taskState,partialName}`,
    Environments: `${s}/environments{/id}{?name,skip,ids,take,partialName}`,
    EventCategories: '/api/events/categories{?appliesTo}',
    Events:
      '/api/events{/id}{?skip,regarding,regardingAny,user,users,projects,projectGroups,environments,eventGroups,eventCategories,eventAgents,tags,tenants,from,to,internal,fromAutoId,toAutoId,documentTypes,asCsv,take,ids,spaces,includeSystem,excludeDifference}',
    Projects: `${s}/projects{/id}{?name,skip,ids,clone,take,partialName,clonedFromProjectId}`,
    ProjectsAll: `${s}/projects/all{?ids}`,
    Releases: `${s}/releases{/id}{?skip,ignoreChannelRules,take,ids}`,
    SpaceHome: '/api/{spaceId}',
    Spaces: '/api/spaces{/id}{?skip,ids,take,partialName}',
    Subscriptions: `${s}/subscriptions{/id}{?skip,take,ids,partialName,spaces}`,
    Tasks: `${s}/tasks{/id}{?skip,active,environment,tenant,runbook,project,name,node,running,states,hasPendingInterruptions,hasWarningsOrErrors,take,ids,partialName,spaces,includeSystem,fromCompletedDate,toCompletedDate,fromQueueDate,toQueueDate,fromStartDate,toStartDate}`,
    Tenants: `${s}/tenants{/id}{?skip,projectId,name,tags,take,ids,clone,partialName,clonedFromTenantId}`,
    Web: '/app',
  };
}

export function registerRootRoutes(app: FastifyInstance, ctx: SimContext): void {
  // Answered without an API key, as the real server does: clients read the version first.
  const root = () => ({
    Application: 'Octopus Deploy',
    Version: ctx.state.version,
    ApiVersion: '3.0.0',
    InstallationId: ctx.state.installationId,
    HasLongTermSupport: false,
    Links: rootLinks(defaultSpace(ctx.state).id),
  });
  app.get('/api', async () => root());

  globalRoute(app, ctx, 'GET', '/api/users/me', () => userResource(ctx.state.user));

  globalRoute(app, ctx, 'GET', '/api/spaces/all', () => ctx.state.spaces.map((s) => spaceResource(s, ctx.state.version)));

  // The official client resolves a space name through this (partialName, take=2147483647).
  globalRoute(app, ctx, 'GET', '/api/spaces', (r) => {
    const ids = r.query.list('ids');
    const partial = r.query.string('partialName');
    const spaces = ctx.state.spaces.filter((s) => inIds(s.id, ids) && matchesPartial(s.name, partial));
    return collection(
      'Space',
      spaces.map((s) => spaceResource(s, ctx.state.version)),
      r.query,
      '/api/spaces',
      'skip,ids,take,partialName',
    );
  });

  globalRoute(app, ctx, 'GET', '/api/spaces/:id', (r) => {
    const key = r.params.id ?? '';
    const space = findSpace(ctx.state, key);
    if (!space) throw notFound('space', key);
    return spaceResource(space, ctx.state.version);
  });

  // The space home document: its links, with the space filled in.
  globalRoute(app, ctx, 'GET', '/api/:spaceId', (r) => ({ Links: rootLinks(r.space.id) }));
}
