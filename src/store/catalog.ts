import type { DeployInput } from '../core/deploy-payload.js';
import type { DeployStatus } from '../core/vocabulary.js';
import type { SqlRunner } from './database.js';
import type { DeployIngest } from './deploy-ingest.js';
import { placeholders } from './sql.js';
import { deployIn } from './deploys.js';
import { DELETED_ENDPOINT } from './endpoints.js';
import type { EventsRepo } from './events.js';

/**
 * Deploys reported by integrations (Octopus deployments, GitHub deployment statuses): one deploy
 * per provider deployment, keyed by `dedupId`, whose status only moves forward (a late or
 * repeated "started" after "succeeded" changes nothing).
 */
const RANK: Record<DeployStatus, number> = { queued: 0, started: 1, succeeded: 2, failed: 2 };

export interface ReportedDeploy {
  /** The connection's internal endpoint. */
  endpointId: string;
  dedupId: string;
  status: DeployStatus;
  source: string;
  /** Aliases to try, in order, for the service; the first known one wins, else `input.service`. */
  aliasCandidates?: string[];
  input: Omit<DeployInput, 'dedupId' | 'status' | 'source'>;
}

/**
 * Records the deploy (with its `deploy.recorded` event) or advances its status (with a
 * `deploy.updated` event carrying the deploy as it now is and its `previousStatus`), in the
 * caller's transaction. Reactions on `deploy.*` with a status filter so hear of a deployment
 * once it fails or succeeds, whether it was first seen queued or finished.
 */
export async function recordOrAdvanceIn(run: SqlRunner, stores: { ingest: DeployIngest; events: EventsRepo }, deploy: ReportedDeploy, now: string): Promise<'recorded' | 'advanced' | 'unchanged'> {
  const { ingest, events } = stores;
  const [existing] = await run.query<{ id: string; status: DeployStatus }>('SELECT id, status FROM deploys WHERE dedup_id = ?', [deploy.dedupId]);
  if (existing) {
    if (RANK[deploy.status] <= RANK[existing.status]) return 'unchanged';
    await run.query('UPDATE deploys SET status = ? WHERE id = ?', [deploy.status, existing.id]);
    const updated = await deployIn(run, existing.id);
    await events.appendIn(run, [{ type: 'deploy.updated', source: `deploy-endpoint:${updated!.endpoint ?? DELETED_ENDPOINT}`, data: { ...updated, previousStatus: existing.status }, subject: deploy.dedupId }], now);
    return 'advanced';
  }
  let service = deploy.input.service;
  const candidates = deploy.aliasCandidates?.filter((a) => a !== '') ?? [];
  if (candidates.length > 0) {
    const known = await run.query<{ alias: string }>(`SELECT alias FROM service_aliases WHERE alias IN (${placeholders(candidates.length)})`, candidates);
    service = candidates.find((c) => known.some((k) => k.alias === c)) ?? service;
  }
  await ingest.recordIn(run, deploy.endpointId, { ...deploy.input, service, dedupId: deploy.dedupId, status: deploy.status, source: deploy.source }, now);
  return 'recorded';
}
