import { Type } from 'typebox';
import { ERRORS, ShiplineError } from '../../core/errors.js';
import { connectionSource } from '../../core/reactions/source-trigger.js';
import type { ConnectionService } from '../../connections/service.js';
import { recordOrAdvanceIn } from '../../store/catalog.js';
import type { Store } from '../../store/index.js';
import { acceptRawBodies } from '../raw-body.js';
import { ErrorBody } from '../schemas.js';
import type { App } from './types.js';

const Received = Type.Object({
  events: Type.Optional(
    Type.Integer({
      description: 'Events stored from this delivery (0 for a repeat or a ping); absent when they are made afterwards (Octopus)',
    }),
  ),
  eventId: Type.Optional(
    Type.String({ description: "The provider's id of the delivered event (Octopus Event.Id), when it answers with one" }),
  ),
  duplicate: Type.Boolean({
    description:
      'True when this delivery (X-GitHub-Delivery, PagerDuty event.id, Octopus Event.Id) was stored before: nothing new is stored or started',
  }),
});

/**
 * `POST /hooks/<type>/<connection id>`: a provider's own webhooks (Octopus subscriptions,
 * PagerDuty v3, GitHub), verified by the connection type over the exact bytes sent, then stored
 * as events (and catalog deploys) in one transaction before the 202 — or handed to the provider
 * (`receive`: Octopus keeps deliveries in its inbox), which says what to answer. A repeat (a redelivery, or a replay of a captured
 * request) is recognised by the provider's delivery id: 200 `duplicate: true`, nothing stored,
 * nothing started, no deploy moved.
 */
export function connectionHookRoutes(store: Store, connections: ConnectionService) {
  return async (app: App) => {
    acceptRawBodies(app);

    app.post(
      '/hooks/:type/:connectionId',
      {
        schema: {
          summary: 'Receive a provider webhook for a connection (Octopus, PagerDuty, GitHub), verified by its signature or secret header',
          tags: ['hooks'],
          params: Type.Object({ type: Type.String(), connectionId: Type.String() }),
          response: { 200: Received, 202: Received, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody },
        },
      },
      async (request, reply) => {
        const type = connections.webhookType(request.params.type);
        const connection = type ? await store.connections.withSecrets(request.params.connectionId) : undefined;
        if (!type?.webhook || !connection || connection.type !== type.type) throw new ShiplineError('hook.not_found');
        const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const refusal = type.webhook.verify(connection, request.headers, body);
        if (refusal !== null) throw new ShiplineError('hook.unauthorized', `${ERRORS['hook.unauthorized'].message}: ${refusal}`);
        let parsed: unknown;
        try {
          parsed = JSON.parse(body.toString('utf8'));
        } catch {
          throw new ShiplineError('request.malformed_json');
        }
        if (type.webhook.receive) {
          const answer = await type.webhook.receive(connection, parsed, connections.host);
          return reply.status(answer.status).send(answer.body);
        }
        const events = type.webhook.events(connection, parsed, request.headers).map((e) => ({
          ...e,
          source: connectionSource(connection.name),
          // Per connection: the same provider event delivered to two connections is two deliveries.
          ...(e.sourceKey ? { sourceKey: `connection:${connection.id}:${e.sourceKey}` } : {}),
        }));
        const deploys = type.webhook.deploys?.(connection, parsed, request.headers) ?? [];
        const now = new Date().toISOString();
        const stored = await store.commits.submit(async (run) => {
          // The unique source key makes the check and the insert one step, even for copies sent at once.
          const appended = await store.events.appendIn(run, events, now);
          const duplicate = events.length > 0 && appended.length === 0;
          // A repeat touches no deploy either: it reports nothing the first delivery did not.
          if (!duplicate) {
            for (const d of deploys) {
              await recordOrAdvanceIn(
                run,
                store,
                { endpointId: connection.endpointId, dedupId: d.dedupId, status: d.status, source: type.type, input: d.input },
                now,
              );
            }
          }
          return { events: appended.length, duplicate };
        });
        return reply.status(stored.duplicate ? 200 : 202).send(stored);
      },
    );
  };
}
