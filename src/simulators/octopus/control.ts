import type { FastifyInstance, FastifyReply } from 'fastify';
import { query } from './collection.js';
import type { SimContext } from './context.js';
import { addFault, addOutcome, completeTask, ControlError, dumpState, recordCustomEvent, updateDelivery } from './control-ops.js';
import { changeMachineHealth, editDeploymentProcess, registerMachine, removeMachine } from './control-machines.js';
import { machineResource } from './machines.js';
import { eventResource, taskResource } from './resources-activity.js';
import { projectResource } from './resources-model.js';

/**
 * The control API for tests and demos: `/_sim/...`, no API key, camelCase JSON. It scripts
 * outcomes, finishes tasks, bends webhook delivery and shows what clients did.
 */
export function registerControlRoutes(app: FastifyInstance, ctx: SimContext, reset: () => Promise<void>): void {
  const guarded = (reply: FastifyReply, run: () => unknown) => {
    try {
      return run();
    } catch (err) {
      if (!(err instanceof ControlError)) throw err;
      reply.code(err.status);
      return { error: err.message };
    }
  };

  app.get('/_sim/outcomes', async () => ({ rules: ctx.outcomes.list() }));
  app.post('/_sim/outcomes', async (request, reply) =>
    guarded(reply, () => {
      addOutcome(ctx, request.body);
      reply.code(201);
      return { rules: ctx.outcomes.list() };
    }),
  );
  app.delete('/_sim/outcomes', async () => {
    ctx.outcomes.clear();
    return { rules: [] };
  });

  app.get('/_sim/faults', async () => ({ faults: ctx.faults.list() }));
  app.post('/_sim/faults', async (request, reply) =>
    guarded(reply, () => {
      addFault(ctx, request.body);
      reply.code(201);
      return { faults: ctx.faults.list() };
    }),
  );
  app.delete('/_sim/faults', async () => {
    ctx.faults.clear();
    return { faults: [] };
  });

  app.post('/_sim/tasks/:taskId/complete', async (request, reply) =>
    guarded(reply, () => taskResource(completeTask(ctx, (request.params as { taskId: string }).taskId, request.body), Date.now())),
  );

  app.get('/_sim/delivery', async () => ({ ...ctx.settings }));
  app.put('/_sim/delivery', async (request, reply) => guarded(reply, () => updateDelivery(ctx, request.body)));
  // Runs a batch for everything pending now, without waiting for the interval.
  app.post('/_sim/delivery/flush', async () => {
    ctx.delivery.runAll();
    return { pending: ctx.delivery.pendingFor().length };
  });

  app.get('/_sim/requests', async (request) => {
    const q = query(request.query);
    return ctx.log.list(q.string('method'), q.string('path'));
  });
  app.delete('/_sim/requests', async () => {
    ctx.log.clear();
    return {};
  });

  app.get('/_sim/deliveries', async (request) => {
    const q = query(request.query);
    const subscriptionId = q.string('subscriptionId');
    const category = q.string('category');
    const eventId = q.string('eventId');
    return ctx.delivery.records.filter(
      (d) =>
        (!subscriptionId || d.subscriptionId === subscriptionId) &&
        (!category || d.category === category) &&
        (!eventId || d.eventId === eventId),
    );
  });

  app.post('/_sim/events', async (request, reply) =>
    guarded(reply, () => {
      const event = recordCustomEvent(ctx, request.body);
      reply.code(201);
      return eventResource(event);
    }),
  );

  // Infrastructure and configuration changes, each recording the event a real server would.
  app.post('/_sim/machines', async (request, reply) =>
    guarded(reply, () => {
      const machine = registerMachine(ctx, request.body);
      reply.code(201);
      return machineResource(machine);
    }),
  );
  app.delete('/_sim/machines/:machine', async (request, reply) =>
    guarded(reply, () => machineResource(removeMachine(ctx, (request.params as { machine: string }).machine))),
  );
  app.put('/_sim/machines/:machine/health', async (request, reply) =>
    guarded(reply, () => machineResource(changeMachineHealth(ctx, (request.params as { machine: string }).machine, request.body))),
  );
  app.post('/_sim/projects/:project/deployment-process', async (request, reply) =>
    guarded(reply, () =>
      projectResource(editDeploymentProcess(ctx, (request.params as { project: string }).project, request.body), ctx.state),
    ),
  );

  app.get('/_sim/state', async () => dumpState(ctx));
  app.post('/_sim/reset', async () => {
    await reset();
    return { reset: true };
  });
}
