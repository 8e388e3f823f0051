import { parseDatetime } from '../core/datetime.js';
import { DEPLOY_FAILED, deployFailedData, deploySubject, reportedFailure } from '../core/deploy-failure.js';
import type { DeployInput } from '../core/deploy-payload.js';
import type { DeployStatus } from '../core/vocabulary.js';
import type { SqlRunner } from './database.js';
import type { DeployIngest } from './deploy-ingest.js';
import { placeholders } from './sql.js';
import { deployIn } from './deploys.js';
import { DELETED_ENDPOINT } from './endpoints.js';
import type { EventsRepo, NewEvent } from './events.js';

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
  /** What its events name as their source (the connection, `connection:<name>`); by default its endpoint. */
  eventSource?: string;
  /** Aliases to try, in order, for the service; the first known one wins, else `input.service`. */
  aliasCandidates?: string[];
  input: Omit<DeployInput, 'dedupId' | 'status' | 'source'>;
}

/**
 * Records the deploy (with its `deploy.recorded` event) or advances its status (with a
 * `deploy.updated` event carrying the deploy as it now is and its `previousStatus`), in the
 * caller's transaction. Reactions on `deploy.*` with a status filter so hear of a deployment
 * once it fails or succeeds, whether it was first seen queued or finished; a deploy becoming
 * failed also stores `deploy.failed`. The description follows the latest status the source
 * reported, and times are stored in UTC whatever offset the source wrote.
 */
export async function recordOrAdvanceIn(
  run: SqlRunner,
  stores: { ingest: DeployIngest; events: EventsRepo },
  deploy: ReportedDeploy,
  now: string,
): Promise<'recorded' | 'advanced' | 'unchanged'> {
  const { ingest, events } = stores;
  const input = { ...deploy.input, deployedAt: parseDatetime(deploy.input.deployedAt) ?? now };
  const [existing] = await run.query<{
    id: string;
    status: DeployStatus;
    reported_status: DeployStatus | null;
    deployer_id: string | null;
    deployer_email: string | null;
    deployer_name: string | null;
  }>('SELECT id, status, reported_status, deployer_id, deployer_email, deployer_name FROM deploys WHERE dedup_id = ?', [deploy.dedupId]);
  if (existing) {
    if (RANK[deploy.status] <= RANK[existing.reported_status ?? existing.status]) return 'unchanged';
    const knowsDeployer = existing.deployer_id !== null || existing.deployer_email !== null || existing.deployer_name !== null;
    const deployer = knowsDeployer
      ? { id: existing.deployer_id, email: existing.deployer_email, name: existing.deployer_name }
      : input.deployer;
    // A failure mark overrides the status people read; the source's own word moves underneath it.
    // Decided in the statement, on the row as it is then, so a mark committed meanwhile is kept.
    const [after] = await run.query<{ reported_status: DeployStatus | null }>(
      `UPDATE deploys SET status = CASE WHEN reported_status IS NULL THEN ? ELSE status END,
        reported_status = CASE WHEN reported_status IS NULL THEN NULL ELSE ? END,
        description = ?, deployer_id = ?, deployer_email = ?, deployer_name = ? WHERE id = ? RETURNING reported_status`,
      [deploy.status, deploy.status, input.description, deployer.id, deployer.email, deployer.name, existing.id],
    );
    const updated = (await deployIn(run, existing.id))!;
    const source = deploy.eventSource ?? `deploy-endpoint:${updated.endpoint ?? DELETED_ENDPOINT}`;
    // Under a mark the status people read stays failed: nothing moved that a deploy.updated could say.
    const markHolds = after?.reported_status !== null;
    const moved: NewEvent[] = markHolds
      ? []
      : [{ type: 'deploy.updated', source, data: { ...updated, previousStatus: existing.status }, subject: deploy.dedupId }];
    // It became failed by this report only if no mark holds (a marked deploy already read failed).
    if (deploy.status === 'failed' && !markHolds && existing.status !== 'failed') {
      moved.push({
        type: DEPLOY_FAILED,
        source,
        timestamp: input.deployedAt,
        data: deployFailedData(updated, reportedFailure(updated)),
        subject: deploySubject(updated.id),
      });
    }
    await events.appendIn(run, moved, now);
    return 'advanced';
  }
  let service = input.service;
  const candidates = deploy.aliasCandidates?.filter((a) => a !== '') ?? [];
  if (candidates.length > 0) {
    const known = await run.query<{ alias: string }>(
      `SELECT alias FROM service_aliases WHERE alias IN (${placeholders(candidates.length)})`,
      candidates,
    );
    service = candidates.find((c) => known.some((k) => k.alias === c)) ?? service;
  }
  await ingest.recordIn(
    run,
    deploy.endpointId,
    { ...input, service, dedupId: deploy.dedupId, status: deploy.status, source: deploy.source },
    now,
    deploy.eventSource,
  );
  return 'recorded';
}
