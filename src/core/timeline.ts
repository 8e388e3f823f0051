import type { Classified, FailureMatch, IncidentFact } from './insights/change-failures.js';
import { obj } from './objects.js';

/**
 * A service's timeline for triage ("what changed right before this broke?"): its deploys with
 * the commit range since the previous successful deploy there, failures when they became known,
 * incidents opening and resolving, and the runs of reactions its events started.
 */

export interface TimelineItem {
  at: string;
  kind: 'deploy' | 'failure' | 'incident.opened' | 'incident.resolved' | 'run';
  environment: string | null;
  summary: string;
  deploy?: {
    id: string;
    service: { id: string; name: string };
    environment: string;
    deployedAt: string;
    status: string;
    deployNumber: string;
    commitSha: string | null;
    commitAt: string | null;
  };
  commitRange?: { from: string; to: string };
  failure?: FailureMatch & { deployId: string };
  incident?: IncidentFact;
  run?: { id: string; reaction: string; status: string; eventType: string; finishedAt: string | null };
}

export interface TimelineRun {
  id: string;
  reaction: string;
  status: string;
  createdAt: string;
  finishedAt: string | null;
  eventType: string;
  eventData: unknown;
}

/** True when an event's data is about the service: by id, or by a name or alias it knows. */
export function mentionsService(data: unknown, service: { id: string; aliases: readonly string[] }): boolean {
  const d = obj(data);
  if (!d) return false;
  const names = new Set(service.aliases.map((a) => a.toLowerCase()));
  const named = (v: unknown) => typeof v === 'string' && (v === service.id || names.has(v.toLowerCase()));
  const s = d.service;
  return (
    named(s) ||
    named(obj(s)?.id) ||
    named(obj(s)?.name) ||
    named(d.serviceId) ||
    named(d.serviceAlias) ||
    named(obj(d.deploy)?.serviceAlias) ||
    named(obj(obj(d.deploy)?.service)?.id)
  );
}

const short = (sha: string) => sha.slice(0, 7);

export function timeline(
  service: { id: string; name: string; aliases: readonly string[] },
  envKey: string | null,
  from: string,
  to: string,
  facts: { classified: Map<string, Classified>; incidents: readonly IncidentFact[] },
  runs: readonly TimelineRun[],
  limit: number,
): TimelineItem[] {
  const items: TimelineItem[] = [];
  const inWindow = (at: string) => at >= from && at < to;
  const all = [...facts.classified.values()]
    .filter((c) => c.deploy.serviceId === service.id && (envKey === null || c.deploy.envKey === envKey))
    .sort((a, b) =>
      a.deploy.deployedAt < b.deploy.deployedAt ? -1 : a.deploy.deployedAt > b.deploy.deployedAt ? 1 : a.deploy.id < b.deploy.id ? -1 : 1,
    );
  const lastSha = new Map<string, string | null>();
  const byId = new Map(all.map((c) => [c.deploy.id, c.deploy]));
  for (const c of all) {
    const d = c.deploy;
    const previous = lastSha.get(d.envKey) ?? null;
    if (d.status === 'succeeded') lastSha.set(d.envKey, d.sha);
    if (!inWindow(d.deployedAt)) continue;
    const deploy = {
      id: d.id,
      service: { id: d.serviceId, name: d.serviceName },
      environment: d.environment,
      deployedAt: d.deployedAt,
      status: d.status,
      deployNumber: d.deployNumber,
      commitSha: d.sha,
      commitAt: d.commitAt,
    };
    const range = previous && d.sha && previous !== d.sha ? { from: previous, to: d.sha } : undefined;
    items.push({
      at: d.deployedAt,
      kind: 'deploy',
      environment: d.environment,
      deploy,
      summary: `deploy #${d.deployNumber} ${d.status}${range ? ` (${short(range.from)}..${short(range.to)})` : d.sha ? ` (${short(d.sha)})` : ''}`,
      ...(range ? { commitRange: range } : {}),
    });
    for (const f of c.failures) {
      const incident = f.incidentId ? facts.incidents.find((i) => i.id === f.incidentId) : undefined;
      const at =
        f.rule === 'marked'
          ? d.marked!.markedAt
          : f.rule === 'incident' && incident
            ? incident.startedAt
            : f.rule === 'rollback'
              ? (byId.get(f.rolledBackBy!)?.deployedAt ?? d.deployedAt)
              : d.deployedAt;
      items.push({
        at,
        kind: 'failure',
        environment: d.environment,
        summary: `deploy #${d.deployNumber} failed (${f.rule}): ${f.detail}`,
        failure: { ...f, deployId: d.id },
      });
    }
  }
  for (const incident of facts.incidents) {
    if (incident.serviceId !== service.id) continue;
    if (inWindow(incident.startedAt))
      items.push({
        at: incident.startedAt,
        kind: 'incident.opened',
        environment: incident.envKey,
        summary: `incident opened: ${incident.title || incident.id}`,
        incident,
      });
    if (incident.resolvedAt && inWindow(incident.resolvedAt)) {
      items.push({
        at: incident.resolvedAt,
        kind: 'incident.resolved',
        environment: incident.envKey,
        summary: `incident resolved: ${incident.title || incident.id}`,
        incident,
      });
    }
  }
  for (const run of runs) {
    if (!inWindow(run.createdAt) || !mentionsService(run.eventData, service)) continue;
    const env = obj(run.eventData)?.environment;
    items.push({
      at: run.createdAt,
      kind: 'run',
      environment: typeof env === 'string' ? env : null,
      summary: `reaction ${run.reaction} ${run.status} on ${run.eventType}`,
      run: { id: run.id, reaction: run.reaction, status: run.status, eventType: run.eventType, finishedAt: run.finishedAt },
    });
  }
  const order = ['deploy', 'failure', 'incident.opened', 'incident.resolved', 'run'];
  items.sort((a, b) => a.at.localeCompare(b.at) || order.indexOf(a.kind) - order.indexOf(b.kind));
  return items.slice(Math.max(0, items.length - limit));
}
