/**
 * The terms Shipline is built from.
 *
 * - Event: an immutable, stored envelope `{id, type, source, timestamp, data}`; `type` is dotted
 *   (`deploy.recorded`, `octopus.deployment.succeeded`, `webhook.<name>`).
 * - Service: something that gets deployed, known by a name and any number of aliases.
 * - Deploy: one deployment of a service (or of an alias no service claims yet) to an environment.
 * - Deploy endpoint: a URL a CI pipeline POSTs deploys to; its unguessable id is the credential.
 * - Suggestion: an alias that received deploys but matches no service.
 * - Reaction, trigger, step, action, channel, run, wait, connection: the event-reaction engine's
 *   terms, described in docs/architecture.md.
 */

export interface ShiplineEvent<T = unknown> {
  id: string;
  type: string;
  source: string;
  timestamp: string;
  data: T;
}

export interface Deployer {
  id: string | null;
  email: string | null;
  name: string | null;
}

export interface CommitInfo {
  sha: string | null;
  message: string | null;
  branch: string | null;
  date: string | null;
  committerName: string | null;
  committerEmail: string | null;
  authorName: string | null;
  authorEmail: string | null;
  authoringDate: string | null;
}

/** A deploy as the API returns it, and as `deploy.recorded` events carry it. */
export interface Deploy {
  id: string;
  /**
   * The name of the deploy endpoint it came through (a connection's deploys: `<type>: <name>`),
   * null when that endpoint was deleted before names were kept. Never the endpoint's id: the id
   * is the endpoint's credential.
   */
  endpoint: string | null;
  service: { id: string; name: string } | null;
  serviceAlias: string;
  environment: string | null;
  description: string;
  deployedAt: string;
  deployUrl: string | null;
  deployNumber: string;
  dedupId: string | null;
  deployer: Deployer;
  commit: CommitInfo | null;
  receivedAt: string;
  status: DeployStatus;
  /** Where it came from: `custom` (a deploy endpoint) or `octopus`. */
  source: string;
}

/** A pipeline's deploy is `succeeded` when posted; an Octopus deployment moves through all four. */
export type DeployStatus = 'queued' | 'started' | 'succeeded' | 'failed';
export const DEPLOY_STATUSES: readonly DeployStatus[] = ['queued', 'started', 'succeeded', 'failed'];

export type Role = 'read' | 'write' | 'admin';
export const ROLES: readonly Role[] = ['read', 'write', 'admin'];

/** True when `have` grants at least what `need` requires (read < write < admin). */
export function roleAllows(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}
