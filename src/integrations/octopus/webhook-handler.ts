import { sameSecret } from '../../core/same-secret.js';
import { Type } from 'typebox';
import { ERRORS, ShiplineError } from '../../core/errors.js';
import type { Store } from '../../store/index.js';
import type { App } from '../../server/routes/types.js';
import { ErrorBody } from '../../server/schemas.js';
import { WEBHOOK_SECRET } from './connection.js';
import type { OctopusInbox } from './inbox.js';
import { parseDelivery } from './payload.js';

/** The header Shipline's Octopus subscription sends its secret in. */
export const SECRET_HEADER = 'X-Shipline-Webhook-Secret';

const Received = Type.Object({
  eventId: Type.String({ description: 'Octopus Event.Id' }),
  duplicate: Type.Boolean({ description: 'True when this Event.Id had been received before (nothing new stored)' }),
});

/**
 * `POST /hooks/octopus/<connection id>`: what Octopus's subscription delivers. Stores the
 * delivery and answers 200 at once — no calls back to Octopus here, since Octopus waits at most
 * 10 s and drops the rest of its batch on any non-2xx. The event is made from it afterwards.
 */
export function octopusHookRoutes(store: Store, inbox: OctopusInbox) {
  return async (app: App) => {
    app.post(
      '/hooks/octopus/:connectionId',
      {
        schema: {
          summary: 'Receive an Octopus Deploy subscription delivery (authenticated by X-Shipline-Webhook-Secret)',
          tags: ['hooks'],
          params: Type.Object({ connectionId: Type.String() }),
          response: { 200: Received, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody },
        },
      },
      async (request) => {
        const connection = await store.connections.withSecrets(request.params.connectionId);
        if (!connection || connection.type !== 'octopus') throw new ShiplineError('hook.not_found', 'No Octopus connection has this id');
        const given = request.headers[SECRET_HEADER.toLowerCase()];
        const expected = connection.secrets[WEBHOOK_SECRET];
        if (typeof given !== 'string' || given === '')
          throw new ShiplineError('hook.unauthorized', `${ERRORS['hook.unauthorized'].message}: missing ${SECRET_HEADER} header`);
        if (!expected || !sameSecret(given, expected))
          throw new ShiplineError('hook.unauthorized', `${ERRORS['hook.unauthorized'].message}: wrong ${SECRET_HEADER}`);
        const parsed = parseDelivery(request.body);
        if (!parsed.ok) throw new ShiplineError('request.invalid', `Not an Octopus subscription delivery: ${parsed.error}`);
        const fresh = await inbox.accept(connection, parsed.delivery, request.body);
        return { eventId: parsed.delivery.eventId, duplicate: !fresh };
      },
    );
  };
}
