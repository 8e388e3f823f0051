import type { DeployInput } from '../core/deploy-payload.js';
import type { DeployStatus } from '../core/vocabulary.js';
import type { SqlRunner } from './database.js';
import type { DeployIngest } from './deploy-ingest.js';
import { placeholders } from './sql.js';

/**
 * Deploys reported by integrations (Octopus deployments, GitHub deployment statuses): one deploy
 * per provider deployment, keyed by `dedupId`, whose status only moves forward (a late or
 * repeated "started" after "succeeded" changes nothing).
 */
const RANK: Record<DeployStatus, number> = { queued: 0, started: 1, succeeded: 2, failed: 2 };

export interface ReportedDeploy {
  endpointId: string;
  dedupId: string;
  status: DeployStatus;
  source: string;
  /** Aliases to try, in order, for the service; the first known one wins, else `input.service`. */
  aliasCandidates?: string[];
  input: Omit<DeployInput, 'dedupId' | 'status' | 'source'>;
}

/** Records the deploy (with its `deploy.recorded` event) or advances its status, in the caller's transaction. */
export async function recordOrAdvanceIn(run: SqlRunner, ingest: DeployIngest, deploy: ReportedDeploy, now: string): Promise<'recorded' | 'advanced' | 'unchanged'> {
  const [existing] = await run.query<{ id: string; status: DeployStatus }>('SELECT id, status FROM deploys WHERE dedup_id = ?', [deploy.dedupId]);
  if (existing) {
    if (RANK[deploy.status] <= RANK[existing.status]) return 'unchanged';
    await run.query('UPDATE deploys SET status = ? WHERE id = ?', [deploy.status, existing.id]);
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
