import { eventResource } from './resources-activity.js';
import { payloadSubscription } from './subscriptions.js';
import { octopusTime } from './time.js';
import type { SimEvent, SimSubscription } from './types.js';

/** The batch an event is delivered in: Octopus numbers events within each batch from 1. */
export interface Batch {
  id: string;
  processingDate: number;
  total: number;
}

/** The Octopus UI's audit page filtered like the subscription, for the batch's time window. */
function auditUri(serverUri: string, s: SimSubscription, batch: Batch): string {
  const params: string[] = [];
  for (const id of s.filter.Environments) params.push(`environments=${encodeURIComponent(id)}`);
  for (const id of s.filter.Projects) params.push(`projects=${encodeURIComponent(id)}`);
  for (const c of s.filter.EventCategories) params.push(`eventCategories=${encodeURIComponent(c)}`);
  const from = s.webhookLastProcessed ?? batch.processingDate;
  params.push(`from=${encodeURIComponent(octopusTime(from))}`, `to=${encodeURIComponent(octopusTime(batch.processingDate))}`);
  return `${serverUri}/app#/${s.spaceId}/configuration/audit?${params.join('&')}`;
}

/**
 * The body of one webhook POST, in the key order of Octopus's docs and captures:
 * `{Timestamp, EventType: "SubscriptionPayload", Payload: {ServerUri, ..., Subscription, Event, ...}}`.
 */
export function webhookPayload(
  serverUri: string,
  s: SimSubscription,
  event: SimEvent,
  batch: Batch,
  eventNumber: number,
  sensitiveHeaderValues: boolean,
): Record<string, unknown> {
  return {
    Timestamp: octopusTime(Date.now()),
    EventType: 'SubscriptionPayload',
    Payload: {
      ServerUri: serverUri,
      ServerAuditUri: auditUri(serverUri, s, batch),
      BatchProcessingDate: octopusTime(batch.processingDate),
      Subscription: payloadSubscription(s, sensitiveHeaderValues),
      Event: eventResource(event),
      BatchId: batch.id,
      TotalEventsInBatch: batch.total,
      EventNumberInBatch: eventNumber,
    },
  };
}
