import type { FastifyInstance } from 'fastify';
import { collection, inIds, matchesPartial } from './collection.js';
import type { Query } from './collection.js';
import type { SimContext } from './context.js';
import { notFound } from './errors.js';
import { sameId } from './lookup.js';
import { machineResource } from './machines.js';
import { scopedRoute } from './scope.js';
import type { SimMachine } from './types.js';

/** Deployment targets: `GET /api/{space}/machines` (a collection), `/machines/all` (an array), `/machines/{id}`. */

function listed(items: SimMachine[], q: Query): SimMachine[] {
  const ids = q.list('ids');
  const environmentIds = q.list('environmentIds');
  const roles = q.list('roles');
  const health = q.list('healthStatuses');
  const partial = q.string('partialName');
  const name = q.string('name');
  return items.filter(
    (m) =>
      inIds(m.id, ids) &&
      matchesPartial(m.name, partial) &&
      (name === undefined || sameId(m.name, name)) &&
      (environmentIds.length === 0 || m.environmentIds.some((e) => environmentIds.some((w) => sameId(e, w)))) &&
      (roles.length === 0 || m.roles.some((r) => roles.includes(r))) &&
      (health.length === 0 || health.some((h) => sameId(h, m.healthStatus))),
  );
}

export function registerMachineRoutes(app: FastifyInstance, ctx: SimContext): void {
  const inSpace = (spaceId: string) => ctx.state.machines.filter((m) => m.spaceId === spaceId).sort((a, b) => a.name.localeCompare(b.name));

  scopedRoute(app, ctx, 'GET', '/machines/all', (r) => listed(inSpace(r.space.id), r.query).map(machineResource));
  scopedRoute(app, ctx, 'GET', '/machines', (r) =>
    collection(
      'DeploymentTarget',
      listed(inSpace(r.space.id), r.query).map(machineResource),
      r.query,
      r.spacePath('/machines'),
      'skip,take,name,ids,partialName,roles,isDisabled,healthStatuses,commStyles,tenantIds,tenantTags,environmentIds',
    ),
  );
  scopedRoute(app, ctx, 'GET', '/machines/:id', (r) => {
    const machine = inSpace(r.space.id).find((m) => sameId(m.id, r.params.id ?? ''));
    if (!machine) throw notFound('machine', r.params.id ?? '');
    return machineResource(machine);
  });
}
