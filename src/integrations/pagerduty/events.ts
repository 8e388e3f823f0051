import type { ProviderEvent } from '../connection-type.js';
import type { IncidentEventData } from './webhook-handler.js';

/**
 * The events a PagerDuty connection emits, one per v3 incident event type the webhook handler
 * takes (INCIDENT_EVENT_TYPES). Each example is the `data` the handler makes of a recorded
 * delivery in fixtures/; events.test.ts checks that it still is.
 */

/** fixtures/incident-triggered.json */
const triggered: IncidentEventData = {
  incidentId: 'PGR0VU2',
  number: 2,
  title: 'Deploy api@1.4.2 to production failed — café ☕',
  status: 'triggered',
  urgency: 'high',
  service: { id: 'PF9KMXH', name: 'API Service' },
  createdAt: '2025-03-01T12:00:05Z',
  occurredAt: '2025-03-01T12:00:05.169Z',
  htmlUrl: 'https://acme.pagerduty.com/incidents/PGR0VU2',
  incidentKey: 'shipline/api/production',
  eventType: 'incident.triggered',
};

export const PAGERDUTY_EVENTS: ProviderEvent[] = [
  {
    type: 'pagerduty.incident.triggered',
    description:
      'An incident was opened on a PagerDuty service (v3 `incident.triggered`). `incidentKey` is the dedup key: `shipline/<service>/<environment>` for alerts Shipline raised.',
    example: triggered,
  },
  {
    type: 'pagerduty.incident.acknowledged',
    description: 'Someone acknowledged an incident (v3 `incident.acknowledged`); `occurredAt` is when.',
    // No acknowledgement was recorded: the triggered delivery as PagerDuty sends it once acknowledged.
    example: { ...triggered, status: 'acknowledged', occurredAt: '2025-03-01T12:02:41.820Z', eventType: 'incident.acknowledged' },
  },
  {
    type: 'pagerduty.incident.resolved',
    description:
      'An incident was resolved (v3 `incident.resolved`); `resolvedAt`, with `createdAt`, gives the time to restore that Shipline counts for DORA.',
    // fixtures/incident-resolved.json
    example: {
      ...triggered,
      status: 'resolved',
      occurredAt: '2025-03-01T12:41:17.512Z',
      resolvedAt: '2025-03-01T12:41:17.512Z',
      eventType: 'incident.resolved',
    },
  },
];
