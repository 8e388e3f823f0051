// Server shapes the deploy, environment, service and insights pages share
// (src/server/schemas.ts and src/server/insights-schemas.ts are the source of truth).
import type { Deploy } from '../../lib/types';

export type Tier = 'production' | 'staging' | 'development' | 'other';
export const TIERS: Tier[] = ['production', 'staging', 'development', 'other'];

/** An item of GET /api/v1/environments. */
export interface EnvironmentSummary {
  name: string;
  deployCount: number;
  lastDeployedAt: string;
  /** The latest deploy of each service (or unclaimed alias) there. */
  services: Deploy[];
  tier?: Tier;
  tierSource?: 'set' | 'inferred';
}

/** An item of GET /api/v1/suggestions. */
export interface Suggestion {
  alias: string;
  deployCount: number;
  firstSeenAt: string;
  lastSeenAt: string;
}

/** A deploy as the insights endpoints describe it. */
export interface InsightDeploy {
  id: string;
  service: { id: string; name: string };
  environment: string;
  deployedAt: string;
  status: string;
  deployNumber: string;
  commitSha: string | null;
  commitAt: string | null;
}

export interface FailureMatch {
  rule: 'status' | 'marked' | 'incident' | 'rollback';
  detail: string;
  incidentId?: string;
  rolledBackBy?: string;
}

export interface Incident {
  id: string;
  serviceId: string;
  envKey: string | null;
  title: string;
  source: string;
  startedAt: string;
  resolvedAt: string | null;
  url: string | null;
}

/** An item of GET /api/v1/services/:idOrAlias/timeline. */
export interface TimelineItem {
  at: string;
  kind: 'deploy' | 'failure' | 'incident.opened' | 'incident.resolved' | 'run';
  environment: string | null;
  summary: string;
  deploy?: InsightDeploy;
  commitRange?: { from: string; to: string };
  failure?: FailureMatch & { deployId: string };
  incident?: Incident;
  run?: { id: string; reaction: string; status: string; eventType: string; finishedAt: string | null };
}

export interface Timeline {
  service: { id: string; name: string };
  from: string;
  to: string;
  items: TimelineItem[];
}

/** Spellings of one environment that differ only in case or surrounding space are one environment. */
export const environmentKey = (name: string) => name.trim().toLowerCase();

/** Only http(s) links from deploy payloads are followed: a `javascript:` URL must never become a link. */
export function safeHref(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
  } catch {
    return null;
  }
}
