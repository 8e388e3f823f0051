import type { FastifyInstance } from 'fastify';
import { collection, inIds } from './collection.js';
import type { Query } from './collection.js';
import type { SimContext } from './context.js';
import { notFound } from './errors.js';
import { categoryName, EVENT_CATEGORIES } from './events.js';
import { sameId } from './lookup.js';
import { eventResource } from './resources-activity.js';
import { scopedRoute } from './scope.js';
import type { SimEvent } from './types.js';

/** The audit log: `GET /api/events` (all spaces, or one under a space prefix), newest first. */

function related(event: SimEvent, ids: string[]): boolean {
  return ids.length === 0 || ids.some((id) => event.relatedDocumentIds.some((r) => sameId(r, id)));
}

function time(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

function matchesQuery(event: SimEvent, q: Query): boolean {
  const categories = q.list('eventCategories').map((c) => c.toLowerCase());
  const regarding = q.string('regarding');
  const from = time(q.string('from'));
  const to = time(q.string('to'));
  const fromAutoId = q.int('fromAutoId', 0);
  const toAutoId = q.int('toAutoId', Number.MAX_SAFE_INTEGER);
  return (
    inIds(event.id, q.list('ids')) &&
    (categories.length === 0 || categories.includes(event.category.toLowerCase())) &&
    (regarding === undefined || related(event, [regarding])) &&
    related(event, q.list('regardingAny')) &&
    related(event, q.list('projects')) &&
    related(event, q.list('environments')) &&
    related(event, q.list('tenants')) &&
    inIds(event.actor.userId, [...q.list('users'), ...q.list('user')]) &&
    (from === undefined || event.occurred >= from) &&
    (to === undefined || event.occurred <= to) &&
    event.autoId >= fromAutoId &&
    event.autoId <= toAutoId
  );
}

export function registerEventRoutes(app: FastifyInstance, ctx: SimContext): void {
  scopedRoute(app, ctx, 'GET', '/events', (r) => {
    const spaces = r.query.list('spaces');
    const events = ctx.state.events
      .filter((e) => (r.explicit ? e.spaceId === r.space.id : inIds(e.spaceId, spaces)))
      .filter((e) => matchesQuery(e, r.query))
      .reverse();
    const path = r.explicit ? r.spacePath('/events') : '/api/events';
    return collection(
      'Event',
      events.map(eventResource),
      r.query,
      path,
      'skip,regarding,regardingAny,user,users,projects,projectGroups,environments,eventGroups,eventCategories,eventAgents,tags,tenants,from,to,internal,fromAutoId,toAutoId,documentTypes,asCsv,take,ids,spaces,includeSystem,excludeDifference',
    );
  });

  scopedRoute(app, ctx, 'GET', '/events/categories', () => EVENT_CATEGORIES.map((id) => ({ Id: id, Name: categoryName(id) })));

  scopedRoute(app, ctx, 'GET', '/events/:id', (r) => {
    const id = r.params.id ?? '';
    const event = ctx.state.events.find((e) => sameId(e.id, id) && (!r.explicit || e.spaceId === r.space.id));
    if (!event) throw notFound('event', id);
    return eventResource(event);
  });
}
