import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { ConnectionWithSecrets } from '../../core/connection.js';
import type { InboundEvent, StoredWebhook } from '../connection-type.js';
import { obj } from '../../core/objects.js';

/**
 * PagerDuty v3 webhooks (https://developer.pagerduty.com/docs/webhooks-overview): each delivery is `{"event": {...}}`, signed in
 * `X-PagerDuty-Signature` as `v1=<hex HMAC-SHA256 of the raw body>`, one per signing secret,
 * comma-separated during a rotation. Incidents triggered, acknowledged and resolved become
 * `pagerduty.incident.*` events carrying what change-failure rate and time-to-restore need.
 */

export const SIGNATURE_HEADER = 'x-pagerduty-signature';

/** The v3 event types Shipline turns into events, and what they become. */
export const INCIDENT_EVENT_TYPES: Record<string, string> = {
  'incident.triggered': 'pagerduty.incident.triggered',
  'incident.acknowledged': 'pagerduty.incident.acknowledged',
  'incident.resolved': 'pagerduty.incident.resolved',
};

/** The `data` of a `pagerduty.incident.*` event. */
export interface IncidentEventData {
  incidentId: string;
  number: number | null;
  title: string;
  status: string;
  urgency: string | null;
  service: { id: string | null; name: string | null };
  /** When the incident was opened. */
  createdAt: string | null;
  /** When this change (trigger, acknowledgement, resolution) happened. */
  occurredAt: string;
  /** Only on `pagerduty.incident.resolved`. */
  resolvedAt?: string;
  htmlUrl: string | null;
  /** The incident's dedup key (for Shipline-triggered alerts: `shipline/<service>/<environment>`). */
  incidentKey: string | null;
  /** The v3 type as delivered, e.g. `incident.resolved`. */
  eventType: string;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function sameHex(given: string, expected: Buffer): boolean {
  if (!/^[0-9a-fA-F]+$/.test(given) || given.length !== expected.length * 2) return false;
  return timingSafeEqual(Buffer.from(given, 'hex'), expected);
}

/** null when one of the header's v1 signatures matches the raw body; otherwise why not. */
export function verifyPagerDutySignature(secret: string | undefined, headers: IncomingHttpHeaders, raw: Buffer): string | null {
  if (!secret)
    return 'the connection has no webhookSecret: store the signing secret PagerDuty showed when the webhook subscription was created';
  const value = header(headers, SIGNATURE_HEADER);
  if (!value || value.trim() === '') return 'missing X-PagerDuty-Signature header';
  const expected = createHmac('sha256', Buffer.from(secret, 'utf8')).update(raw).digest();
  const v1 = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.startsWith('v1='))
    .map((s) => s.slice(3));
  if (v1.length === 0) return 'X-PagerDuty-Signature has no v1 signature';
  // Compare every one (no early exit), so the time taken does not say which one matched.
  let ok = false;
  for (const signature of v1) ok = sameHex(signature, expected) || ok;
  return ok ? null : 'X-PagerDuty-Signature does not match the body (wrong webhookSecret?)';
}

const str = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/** The events one verified delivery becomes: one for an incident trigger/ack/resolve, none otherwise (pings included). */
export function pagerdutyEvents(body: unknown): InboundEvent[] {
  const event = obj(obj(body)?.event);
  const eventType = str(event?.event_type);
  const type = eventType ? INCIDENT_EVENT_TYPES[eventType] : undefined;
  const incident = obj(event?.data);
  if (!event || !eventType || !type || !incident || incident.type !== 'incident') return [];
  const incidentId = str(incident.id);
  if (!incidentId) return [];
  const occurredAt = str(event.occurred_at) ?? new Date().toISOString();
  const service = obj(incident.service);
  const data: IncidentEventData = {
    incidentId,
    number: typeof incident.number === 'number' ? incident.number : null,
    title: str(incident.title) ?? str(incident.summary) ?? '',
    status: str(incident.status) ?? eventType.slice('incident.'.length),
    urgency: str(incident.urgency),
    service: { id: str(service?.id), name: str(service?.summary) ?? str(service?.name) },
    createdAt: str(incident.created_at),
    occurredAt,
    ...(eventType === 'incident.resolved' ? { resolvedAt: occurredAt } : {}),
    htmlUrl: str(incident.html_url),
    incidentKey: str(incident.incident_key),
    eventType,
  };
  const id = str(event.id);
  return [{ type, data, timestamp: occurredAt, ...(id ? { sourceKey: `pagerduty:${id}` } : {}) }];
}

export const pagerdutyWebhook: StoredWebhook = {
  // The event's own id, inside the signed body, so a replayed copy cannot change it.
  deliveryId: "the v3 event's `event.id`, inside the signed body",
  verify: (connection: ConnectionWithSecrets, headers, raw) => verifyPagerDutySignature(connection.secrets.webhookSecret, headers, raw),
  events: (_connection, body) => pagerdutyEvents(body),
};
