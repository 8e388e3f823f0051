import type { DeployStatus } from '../vocabulary.js';

/**
 * Which deploys failed, and why: pure rules over deploys and incidents read by the store.
 * Everything is computed when asked, so a late, re-numbered or re-attributed deploy is counted
 * where it belongs the next time anyone asks (docs/decisions/0007-dora-metrics.md).
 */

/** The facts the rules need about one deploy. */
export interface DeployFact {
  id: string;
  serviceId: string;
  serviceName: string;
  environment: string;
  /** environmentKey(environment) */
  envKey: string;
  deployedAt: string;
  /** As everyone reads it: `failed` while a failure mark holds, so a marked deploy never counts as successful. */
  status: DeployStatus;
  /** What the deploy's source reported, when a mark overrides it; absent otherwise (then `status`). */
  reportedStatus?: DeployStatus;
  deployNumber: string;
  sha: string | null;
  /** commit.authoringDate, else commit.date; null when the deploy carried neither. */
  commitAt: string | null;
  marked: { reason: string; markedAt: string; markedBy: string | null } | null;
}

/** An incident opened for a Shipline service (matched by name or alias). */
export interface IncidentFact {
  id: string;
  serviceId: string;
  /** The incident's own environment, if it named one; otherwise production-tier environments. */
  envKey: string | null;
  title: string;
  source: string;
  startedAt: string;
  resolvedAt: string | null;
  url: string | null;
}

export type FailureRule = 'status' | 'marked' | 'incident' | 'rollback';

export interface FailureMatch {
  rule: FailureRule;
  /** One sentence saying why, for people. */
  detail: string;
  incidentId?: string;
  /** rollback: the deploy that re-deployed an earlier version. */
  rolledBackBy?: string;
}

export interface Restore {
  at: string;
  by: 'deploy' | 'incident';
  /** The deploy id or the incident id. */
  id: string;
}

export interface Classified {
  deploy: DeployFact;
  failures: FailureMatch[];
  /** For a failure: when it was restored; null while it is not. */
  restore: Restore | null;
}

export interface ClassifyOptions {
  /** An incident opening this long after a deploy is blamed on it (the latest one before). */
  incidentWindowMs: number;
  /** A redeploy of a version deployed this long before is a rollback. */
  rollbackLookbackMs: number;
  /** Environments an incident without its own environment applies to. */
  productionKeys: ReadonlySet<string>;
}

const ms = (iso: string) => Date.parse(iso);
const shortSha = (sha: string) => sha.slice(0, 7);
// Plain code-unit comparison: ISO timestamps and ids sort correctly, and localeCompare is far slower.
const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
const byTime = (a: DeployFact, b: DeployFact) => cmp(a.deployedAt, b.deployedAt) || cmp(a.id, b.id);
const groupKey = (serviceId: string, envKey: string) => `${serviceId}\u0000${envKey}`;

/**
 * Applies the four failure rules to `deploys` (every deploy of the services and environments in
 * question from the rollback look-back before the window to past its end, in any order) and
 * returns each deploy classified, with the restore of each failure.
 */
export function classify(
  deploys: readonly DeployFact[],
  incidents: readonly IncidentFact[],
  options: ClassifyOptions,
): Map<string, Classified> {
  const out = new Map<string, Classified>();
  const groups = new Map<string, DeployFact[]>();
  for (const d of [...deploys].sort(byTime)) {
    out.set(d.id, { deploy: d, failures: [], restore: null });
    const key = groupKey(d.serviceId, d.envKey);
    const list = groups.get(key) ?? [];
    list.push(d);
    groups.set(key, list);
  }
  const failWith = (d: DeployFact, match: FailureMatch) => out.get(d.id)!.failures.push(match);

  for (const list of groups.values()) {
    for (const d of list) {
      if ((d.reportedStatus ?? d.status) === 'failed')
        failWith(d, { rule: 'status', detail: `the deploy's status is failed (${d.deployNumber ? `#${d.deployNumber}` : d.id})` });
      if (d.marked)
        failWith(d, {
          rule: 'marked',
          detail: `marked as failed${d.marked.markedBy ? ` by ${d.marked.markedBy}` : ''}: ${d.marked.reason}`,
        });
    }
    // Rollback: a successful deploy of a version seen before the one it replaces fails the one it replaces.
    // What was deployed is what the source reported: a deploy marked failed was still live until replaced.
    const succeeded = list.filter((d) => (d.reportedStatus ?? d.status) === 'succeeded');
    const lastSeen = new Map<string, number>();
    for (let k = 1; k < succeeded.length; k++) {
      const prev = succeeded[k - 1]!;
      const cur = succeeded[k]!;
      if (k >= 2 && succeeded[k - 2]!.sha) lastSeen.set(succeeded[k - 2]!.sha!, ms(succeeded[k - 2]!.deployedAt));
      if (!cur.sha || !prev.sha || cur.sha === prev.sha) continue;
      const seenAt = lastSeen.get(cur.sha);
      if (seenAt !== undefined && seenAt >= ms(cur.deployedAt) - options.rollbackLookbackMs) {
        failWith(prev, {
          rule: 'rollback',
          detail: `rolled back by deploy #${cur.deployNumber} at ${cur.deployedAt}, which re-deployed ${shortSha(cur.sha)}`,
          rolledBackBy: cur.id,
        });
      }
    }
  }

  // Incident: blamed on the latest successful deploy of the service before it opened, within the window.
  const linked = new Map<string, IncidentFact[]>();
  for (const incident of incidents) {
    const start = ms(incident.startedAt);
    const envKeys = incident.envKey ? [incident.envKey] : [...options.productionKeys];
    let culprit: DeployFact | undefined;
    for (const envKey of envKeys) {
      for (const d of groups.get(groupKey(incident.serviceId, envKey)) ?? []) {
        const at = ms(d.deployedAt);
        if (at > start) break;
        if (d.status !== 'succeeded' || at < start - options.incidentWindowMs) continue;
        if (!culprit || byTime(culprit, d) < 0) culprit = d;
      }
    }
    if (!culprit) continue;
    failWith(culprit, {
      rule: 'incident',
      detail: `incident ${incident.title ? `"${incident.title}" ` : ''}(${incident.id}) opened at ${incident.startedAt}`,
      incidentId: incident.id,
    });
    linked.set(culprit.id, [...(linked.get(culprit.id) ?? []), incident]);
  }

  for (const list of groups.values()) {
    list.forEach((d, i) => {
      const entry = out.get(d.id)!;
      if (entry.failures.length === 0) return;
      const incidentsOf = linked.get(d.id);
      if (incidentsOf) {
        // Restored when the last of its incidents was resolved.
        if (incidentsOf.every((x) => x.resolvedAt !== null)) {
          const last = incidentsOf.reduce((a, b) => (b.resolvedAt! > a.resolvedAt! ? b : a));
          entry.restore = { at: last.resolvedAt!, by: 'incident', id: last.id };
        }
        return;
      }
      const next = list.slice(i + 1).find((n) => n.status === 'succeeded');
      if (next) entry.restore = { at: next.deployedAt, by: 'deploy', id: next.id };
    });
  }
  return out;
}
