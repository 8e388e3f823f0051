import { Type } from 'typebox';
import type { Engine } from '../../engine/engine.js';
import type { Store } from '../../store/index.js';
import { Decision, Run, RunQuery } from '../engine-schemas.js';
import { ErrorResponses, Page } from '../schemas.js';
import type { App } from './types.js';

const tags = ['runs'];
const Id = Type.Object({ id: Type.String() });
const StepParams = Type.Object({ id: Type.String(), step: Type.String() });

/** Runs: what each reaction did with each event, and the levers on it (cancel, retry, approve). */
export function runRoutes(store: Store, engine: () => Engine | undefined) {
  return async (app: App) => {
    app.get(
      '/runs',
      {
        config: { minRole: 'read' },
        schema: {
          summary: 'List runs, newest first',
          tags,
          querystring: RunQuery,
          response: { 200: Page(Run), ...ErrorResponses },
        },
      },
      async (request) => store.runs.list(request.query),
    );

    app.get(
      '/runs/:id',
      {
        config: { minRole: 'read' },
        schema: {
          summary: 'Show a run: steps, attempts, channels, inputs (each secret as the placeholder «secret:NAME»), outputs, logs',
          tags,
          params: Id,
          response: { 200: Run, ...ErrorResponses },
        },
      },
      async (request) => store.runs.get(request.params.id),
    );

    app.post(
      '/runs/:id/cancel',
      {
        config: { minRole: 'write' },
        schema: {
          summary: 'Cancel a run that has not finished',
          tags,
          params: Id,
          response: { 200: Run, ...ErrorResponses },
        },
      },
      async (request) => {
        const { cancelledWaits, ...run } = await store.runs.cancel(request.params.id);
        // Undoing a waiting step's work (cancelling an Octopus task) happens after the answer.
        const running = engine();
        if (running)
          void running
            .cancelled(run, cancelledWaits)
            .catch((err: unknown) => request.log.warn({ err }, 'cleaning up a cancelled run failed'));
        return run;
      },
    );

    app.post(
      '/runs/:id/retry',
      {
        config: { minRole: 'write' },
        schema: {
          summary: "Run a finished run's failed steps again",
          tags,
          params: Id,
          response: { 200: Run, ...ErrorResponses },
        },
      },
      async (request) => store.runs.retry(request.params.id),
    );

    for (const verb of ['approve', 'reject'] as const) {
      app.post(
        `/runs/:id/steps/:step/${verb}`,
        {
          config: { minRole: 'write' },
          schema: {
            summary: `${verb === 'approve' ? 'Approve' : 'Reject'} a waiting approval step (the approver is the token's name)`,
            tags,
            params: StepParams,
            body: Decision,
            response: { 202: Type.Object({ status: Type.String() }), ...ErrorResponses },
          },
          // The comment is optional, and so is the body that carries it.
          preValidation: (request, _reply, done) => {
            request.body ??= {};
            done();
          },
        },
        async (request, reply) => {
          const token = request.apiToken!;
          await store.runs.decide(request.params.id, request.params.step, {
            approved: verb === 'approve',
            approver: token.name,
            comment: request.body.comment ?? null,
          });
          return reply.status(202).send({ status: verb === 'approve' ? 'approved' : 'rejected' });
        },
      );
    }
  };
}
