import { redactSecrets } from '../../core/reactions/redact.js';

/**
 * What of an Octopus delivery may be kept. Every delivery carries the subscription it was sent
 * for (`Payload.Subscription`), and that holds the header Octopus authenticates itself with:
 * `EventNotificationSubscription.WebhookHeaderValue` is Shipline's receiver secret, in plain text
 * on most servers. Shipline reads nothing of the subscription, so its header, secret and
 * credential fields are dropped before the delivery is stored, and any connection secret that
 * shows up elsewhere in the body is masked too.
 */

/** Subscription fields that hold or describe a credential (header values, sensitive values, Slack/email tokens). */
const SECRET_FIELD = /header|secret|password|token|apikey|api_key|sensitive|credential/i;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function withoutSecretFields(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecretFields);
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) if (!SECRET_FIELD.test(key)) out[key] = withoutSecretFields(item);
  return out;
}

/**
 * A copy of `body` fit to store: `Payload.Subscription` (keys matched case-insensitively, as
 * Octopus binds them) without its credential fields, and `secretValues` masked everywhere.
 */
export function storableDelivery(body: unknown, secretValues: readonly string[]): unknown {
  const masked = redactSecrets(body, secretValues);
  if (!isObject(masked)) return masked;
  const payloadKey = Object.keys(masked).find((k) => k.toLowerCase() === 'payload');
  const payload = payloadKey === undefined ? undefined : masked[payloadKey];
  if (!isObject(payload)) return masked;
  const subscription = Object.keys(payload).filter((k) => k.toLowerCase() === 'subscription');
  if (subscription.length === 0) return masked;
  const cleaned = { ...payload };
  for (const key of subscription) cleaned[key] = withoutSecretFields(payload[key]);
  return { ...masked, [payloadKey!]: cleaned };
}
