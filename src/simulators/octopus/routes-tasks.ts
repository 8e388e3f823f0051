import type { FastifyInstance } from 'fastify';
import { collection, inIds, matchesPartial } from './collection.js';
import type { SimContext } from './context.js';
import { notFound } from './errors.js';
import { sameId } from './lookup.js';
import { isCompleted, taskResource } from './resources-activity.js';
import { scopedRoute } from './scope.js';
import type { ScopedRequest } from './scope.js';
import { idNumber } from './state.js';
import type { SimTask } from './types.js';

/**
 * Server tasks are global (`/api/tasks/{id}`), but also answer under a space; there a task of
 * another space is not found. The official ServerTaskWaiter polls
 * `GET /api/{space}/tasks?skip=0&take=300&ids=<id>`.
 */

function requireTask(r: ScopedRequest): SimTask {
  const id = r.params.id ?? '';
  const task = r.ctx.state.tasks.find((t) => sameId(t.id, id) && (!r.explicit || t.spaceId === r.space.id));
  if (!task) throw notFound('task', id);
  return task;
}

export function registerTaskRoutes(app: FastifyInstance, ctx: SimContext): void {
  scopedRoute(app, ctx, 'GET', '/tasks', (r) => {
    const q = r.query;
    const ids = q.list('ids');
    const states = q.list('states').map((s) => s.toLowerCase());
    const project = q.string('project');
    const environment = q.string('environment');
    const active = q.string('active') === 'true';
    const environmentOf = new Map(ctx.state.deployments.map((d) => [d.id, d.environmentId]));
    const now = Date.now();
    const tasks = ctx.state.tasks
      .filter((t) => !r.explicit || t.spaceId === r.space.id)
      .filter((t) => inIds(t.id, ids) && (states.length === 0 || states.includes(t.state.toLowerCase())))
      .filter((t) => (project === undefined || sameId(t.projectId, project)) && matchesPartial(t.description, q.string('partialName')))
      .filter((t) => environment === undefined || sameId(environmentOf.get(t.deploymentId) ?? '', environment))
      .filter((t) => !active || !isCompleted(t))
      .sort((a, b) => idNumber(b.id) - idNumber(a.id));
    const path = r.explicit ? r.spacePath('/tasks') : '/api/tasks';
    return collection(
      'Task',
      tasks.map((t) => taskResource(t, now)),
      q,
      path,
      'skip,active,environment,project,name,states,take,ids,partialName',
    );
  });

  scopedRoute(app, ctx, 'GET', '/tasks/:id', (r) => taskResource(requireTask(r), Date.now()));

  scopedRoute(app, ctx, 'GET', '/tasks/:id/details', (r) => {
    const task = requireTask(r);
    const done = isCompleted(task);
    return {
      Task: taskResource(task, Date.now()),
      Progress: { ProgressPercentage: done ? 100 : 0, EstimatedTimeRemaining: done ? '' : 'Unknown' },
      PhysicalLogSize: 0,
      ActivityLogs: [],
      Links: { Self: `/api/tasks/${task.id}/details` },
    };
  });

  // Answers the task as it is now: Cancelling, turning Canceled shortly after.
  scopedRoute(app, ctx, 'POST', '/tasks/:id/cancel', (r) => {
    const task = requireTask(r);
    ctx.tasks.cancel(ctx, task);
    return taskResource(task, Date.now());
  });
}
