import type { FastifyInstance } from 'fastify';
import { collection, inIds, matchesPartial } from './collection.js';
import type { SimContext } from './context.js';
import { notFound } from './errors.js';
import { findSpace, requireById } from './lookup.js';
import { scopedRoute } from './scope.js';
import type { ScopedRequest } from './scope.js';
import { nextId } from './state.js';
import { readSubscription, subscriptionResource } from './subscriptions.js';
import type { SimSpace } from './types.js';

/**
 * Subscriptions CRUD with Octopus's status codes: POST 201, GET/PUT 200, DELETE 200 `{}`,
 * unknown id 404.
 */

/** A body's SpaceId counts only on an unscoped URL; a URL that names a space wins. */
function targetSpace(r: ScopedRequest): SimSpace {
  const named = r.explicit ? undefined : r.body.string('SpaceId');
  if (named === undefined) return r.space;
  const space = findSpace(r.ctx.state, named);
  if (!space) throw notFound('space', named);
  return space;
}

export function registerSubscriptionRoutes(app: FastifyInstance, ctx: SimContext): void {
  const show = (s: Parameters<typeof subscriptionResource>[0]) => subscriptionResource(s, ctx.settings.sensitiveHeaderValues);
  const inSpace = (spaceId: string) => ctx.state.subscriptions.filter((s) => s.spaceId === spaceId);

  scopedRoute(app, ctx, 'GET', '/subscriptions/all', (r) => inSpace(r.space.id).map(show));
  scopedRoute(app, ctx, 'GET', '/subscriptions', (r) => {
    const ids = r.query.list('ids');
    const partial = r.query.string('partialName');
    const items = inSpace(r.space.id).filter((s) => inIds(s.id, ids) && matchesPartial(s.name, partial));
    return collection('Subscription', items.map(show), r.query, r.spacePath('/subscriptions'), 'skip,take,ids,partialName,spaces');
  });
  scopedRoute(app, ctx, 'GET', '/subscriptions/:id', (r) =>
    show(requireById(ctx.state.subscriptions, r.space.id, r.params.id ?? '', 'subscription')),
  );

  scopedRoute(app, ctx, 'POST', '/subscriptions', (r) => {
    const space = targetSpace(r);
    const fields = readSubscription(ctx.state, space.id, r.body, undefined);
    const subscription = { id: nextId(ctx.state, 'Subscriptions'), ...fields };
    ctx.state.subscriptions.push(subscription);
    r.reply.code(201);
    return show(subscription);
  });

  scopedRoute(app, ctx, 'PUT', '/subscriptions/:id', (r) => {
    const existing = requireById(ctx.state.subscriptions, r.space.id, r.params.id ?? '', 'subscription');
    Object.assign(existing, readSubscription(ctx.state, existing.spaceId, r.body, existing));
    return show(existing);
  });

  scopedRoute(app, ctx, 'DELETE', '/subscriptions/:id', (r) => {
    const existing = requireById(ctx.state.subscriptions, r.space.id, r.params.id ?? '', 'subscription');
    ctx.state.subscriptions = ctx.state.subscriptions.filter((s) => s !== existing);
    ctx.delivery.forget(existing.id);
    return {};
  });
}
