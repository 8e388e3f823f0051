import type { IncomingHttpHeaders } from 'node:http';
import { sameSecret } from '../../core/same-secret.js';
import { ShiplineError } from '../../core/errors.js';
import type { ConnectionWithSecrets } from '../../core/connection.js';
import type { ReceivingWebhook, WebhookAnswer } from '../connection-type.js';
import type { ConnectionHost } from '../connection-host.js';
import { WEBHOOK_SECRET } from './connection.js';
import type { OctopusInbox } from './inbox.js';
import { parseDelivery } from './payload.js';

/** The header Shipline's Octopus subscription sends its secret in. */
export const SECRET_HEADER = 'X-Shipline-Webhook-Secret';

/**
 * `POST /hooks/octopus/<connection id>`: what Octopus's subscription delivers, authenticated by
 * the secret header Shipline set on the subscription. The delivery is stored and answered 200 at
 * once — no calls back to Octopus here, since Octopus waits at most 10 s and drops the rest of its
 * batch on any non-2xx. The event is made from it afterwards (inbox.ts).
 */
export function octopusWebhook(inboxOf: (host: ConnectionHost) => OctopusInbox): ReceivingWebhook {
  return {
    deliveryId: "the Octopus event's `Payload.Event.Id`",
    verify(connection: ConnectionWithSecrets, headers: IncomingHttpHeaders): string | null {
      const given = headers[SECRET_HEADER.toLowerCase()];
      const expected = connection.secrets[WEBHOOK_SECRET];
      if (typeof given !== 'string' || given === '') return `missing ${SECRET_HEADER} header`;
      if (!expected || !sameSecret(given, expected)) return `wrong ${SECRET_HEADER}`;
      return null;
    },
    async receive(connection, body, host): Promise<WebhookAnswer> {
      const parsed = parseDelivery(body);
      if (!parsed.ok) throw new ShiplineError('request.invalid', `Not an Octopus subscription delivery: ${parsed.error}`);
      const fresh = await inboxOf(host).accept(connection, parsed.delivery, body);
      return { status: 200, body: { eventId: parsed.delivery.eventId, duplicate: !fresh } };
    },
  };
}
