import type { IncidentFact } from './change-failures.js';
import { obj } from '../objects.js';

/**
 * Incidents from stored events: PagerDuty's `pagerduty.incident.triggered|resolved` and the
 * `incident.opened|resolved` a reaction may `emit` from any webhook. Acknowledgements change
 * nothing here.
 */

export const INCIDENT_OPENED_TYPES = ['pagerduty.incident.triggered', 'incident.opened'] as const;
export const INCIDENT_RESOLVED_TYPES = ['pagerduty.incident.resolved', 'incident.resolved'] as const;
export const INCIDENT_EVENT_TYPES: readonly string[] = [...INCIDENT_OPENED_TYPES, ...INCIDENT_RESOLVED_TYPES];

export interface IncidentEventLike {
  id: string;
  type: string;
  source: string;
  timestamp: string;
  data: unknown;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : typeof v === 'number' ? String(v) : null);
const iso = (v: unknown): string | null => {
  const s = str(v);
  if (s === null) return null;
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
};

interface Signal {
  key: string;
  id: string;
  opened: boolean;
  /** The service as the sender named it: a name, an alias or a Shipline id. */
  serviceRefs: string[];
  environment: string | null;
  startedAt: string | null;
  resolvedAt: string | null;
  title: string;
  url: string | null;
  source: string;
}

function signalOf(event: IncidentEventLike): Signal | null {
  const data = obj(event.data) ?? {};
  const pagerduty = event.type.startsWith('pagerduty.');
  const opened = (INCIDENT_OPENED_TYPES as readonly string[]).includes(event.type);
  const id = str(data.incidentId) ?? str(data.id) ?? (opened ? event.id : null);
  if (id === null) return null;
  const service = data.service;
  const refs =
    typeof service === 'string'
      ? [service]
      : [str(obj(service)?.name), str(obj(service)?.id), str(obj(service)?.summary)].filter((r): r is string => r !== null);
  const at = iso(data.occurredAt) ?? event.timestamp;
  return {
    key: `${pagerduty ? 'pagerduty' : 'incident'}:${id}`,
    id,
    opened,
    serviceRefs: refs,
    environment: str(data.environment),
    startedAt: iso(data.createdAt) ?? iso(data.startedAt) ?? iso(data.openedAt) ?? (opened ? at : null),
    resolvedAt: opened ? null : (iso(data.resolvedAt) ?? at),
    title: str(data.title) ?? '',
    url: str(data.htmlUrl) ?? str(data.url),
    source: event.source,
  };
}

/**
 * Folds incident events into incidents of Shipline services; `resolveService` maps what the
 * sender called the service (PagerDuty's service name, an alias) to a service id. Events whose
 * service matches nothing are left out.
 */
export function incidentsFrom(
  events: readonly IncidentEventLike[],
  resolveService: (ref: string) => string | undefined,
  envKey: (name: string) => string,
): IncidentFact[] {
  const byKey = new Map<string, IncidentFact>();
  // Openings first, so a resolution read before its opening still finds it.
  const signals = events
    .map(signalOf)
    .filter((x): x is Signal => x !== null)
    .sort((a, b) => Number(b.opened) - Number(a.opened));
  for (const s of signals) {
    const serviceId = s.serviceRefs.map(resolveService).find((x) => x !== undefined);
    if (!serviceId) continue;
    const current = byKey.get(s.key);
    if (!current) {
      if (!s.startedAt) continue;
      byKey.set(s.key, {
        id: s.id,
        serviceId,
        envKey: s.environment ? envKey(s.environment) : null,
        title: s.title,
        source: s.source,
        startedAt: s.startedAt,
        resolvedAt: s.resolvedAt,
        url: s.url,
      });
      continue;
    }
    if (s.startedAt && s.startedAt < current.startedAt) current.startedAt = s.startedAt;
    if (s.resolvedAt && (!current.resolvedAt || s.resolvedAt > current.resolvedAt)) current.resolvedAt = s.resolvedAt;
    if (!current.title && s.title) current.title = s.title;
    current.url ??= s.url;
  }
  return [...byKey.values()];
}
