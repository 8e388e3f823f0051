import { uuidv7 } from '../core/ids.js';
import type { DeployInput } from '../core/deploy-payload.js';
import type { Deploy } from '../core/vocabulary.js';
import type { Db, SqlRunner } from './database.js';

export type IngestResult = 'ok' | 'no_service_found' | 'duplicate_deploy' | 'endpoint_not_found';

export interface IngestOutcome {
  result: IngestResult;
  deploy?: Deploy;
}

interface IngestItem {
  endpointId: string;
  input: DeployInput;
}

/** Thrown inside a transaction to undo it: a concurrent ingest committed the same dedup_id first. */
class DuplicateDedupId extends Error {}

const MAX_BATCH = 256;

/**
 * Records deploys from the webhook. Every call resolves only after its transaction committed.
 * With group commit, the ingests that arrive together share one transaction (one fsync) while
 * each keeps its own savepoint, so a failure in one does not affect the others.
 */
export class DeployIngest {
  private queue: Array<{ item: IngestItem; resolve(o: IngestOutcome): void; reject(e: Error): void }> = [];
  private scheduled = false;
  private readonly db: Db;
  private readonly now: () => Date;

  constructor(db: Db, now: () => Date = () => new Date()) {
    this.db = db;
    this.now = now;
  }

  record(endpointId: string, input: DeployInput): Promise<IngestOutcome> {
    const item = { endpointId, input };
    if (!this.db.capabilities.groupCommit) {
      return this.db.transaction((run) => recordDeploy(run, item, batchContext(this.now()))).catch((err: unknown) => {
        if (err instanceof DuplicateDedupId) return { result: 'duplicate_deploy' as const };
        throw err;
      });
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // setImmediate runs after the current poll phase, so every request already read joins the batch.
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    const batch = this.queue.splice(0, MAX_BATCH);
    try {
      const ctx = batchContext(this.now());
      const results = await this.db.batch(batch, (run, entry) => recordDeploy(run, entry.item, ctx));
      results.forEach((outcome, i) => {
        const waiter = batch[i]!;
        if (outcome instanceof DuplicateDedupId) waiter.resolve({ result: 'duplicate_deploy' });
        else if (outcome instanceof Error) waiter.reject(outcome);
        else waiter.resolve(outcome);
      });
    } catch (err) {
      for (const waiter of batch) waiter.reject(err instanceof Error ? err : new Error(String(err)));
    } finally {
      if (this.queue.length > 0) setImmediate(() => void this.flush());
      else this.scheduled = false;
    }
  }
}

const INSERT_DEPLOY = `INSERT INTO deploys (id, endpoint_id, service_id, service_alias, environment, description,
  deployed_at, deploy_url, deploy_number, dedup_id, deployer_id, deployer_email, deployer_name, commit_json, received_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedup_id) DO NOTHING RETURNING id`;

const NEXT_NUMBER = `INSERT INTO deploy_sequences (scope, last_number) VALUES (?, 1)
  ON CONFLICT (scope) DO UPDATE SET last_number = deploy_sequences.last_number + 1 RETURNING last_number`;

// A pipeline's own numbers move the sequence forward, so numbers assigned later continue after them.
const RAISE_NUMBER = `INSERT INTO deploy_sequences (scope, last_number) VALUES (?, ?)
  ON CONFLICT (scope) DO UPDATE SET last_number = CASE WHEN deploy_sequences.last_number < excluded.last_number
  THEN excluded.last_number ELSE deploy_sequences.last_number END`;

const INSERT_EVENT = `INSERT INTO events (id, type, source, source_key, occurred_at, data, created_at)
  VALUES (?, ?, ?, ?, ?, ?, ?)`;

/** The scope a deploy is numbered in: its service, or its alias while no service claims it. */
export function sequenceScope(serviceId: string | null, alias: string): string {
  return serviceId ? `service:${serviceId}` : `alias:${alias}`;
}

async function assignNumber(run: SqlRunner, scope: string, given: string | null): Promise<string> {
  if (given !== null) {
    if (/^\d{1,15}$/.test(given)) await run.query(RAISE_NUMBER, [scope, Number(given)]);
    return given;
  }
  const [row] = await run.query<{ last_number: number | string }>(NEXT_NUMBER, [scope]);
  return String(row!.last_number);
}

/** What one transaction has learned, shared by the items it records. */
interface BatchContext {
  receivedAt: string;
  /** Endpoint id → exists. Pipelines send to few endpoints, so one look-up serves a whole batch. */
  endpoints: Map<string, boolean>;
}

function batchContext(now: Date): BatchContext {
  return { receivedAt: now.toISOString(), endpoints: new Map() };
}

async function endpointExists(run: SqlRunner, ctx: BatchContext, endpointId: string): Promise<boolean> {
  let exists = ctx.endpoints.get(endpointId);
  if (exists === undefined) {
    exists = (await run.query('SELECT 1 AS found FROM deploy_endpoints WHERE id = ?', [endpointId])).length > 0;
    ctx.endpoints.set(endpointId, exists);
  }
  return exists;
}

async function recordDeploy(run: SqlRunner, { endpointId, input }: IngestItem, ctx: BatchContext): Promise<IngestOutcome> {
  if (!(await endpointExists(run, ctx, endpointId))) return { result: 'endpoint_not_found' };
  if (input.dedupId !== null) {
    const [existing] = await run.query('SELECT 1 AS found FROM deploys WHERE dedup_id = ?', [input.dedupId]);
    if (existing) return { result: 'duplicate_deploy' };
  }
  const [service] = await run.query<{ id: string; name: string }>(
    'SELECT s.id, s.name FROM service_aliases a JOIN services s ON s.id = a.service_id WHERE a.alias = ?',
    [input.service],
  );
  const deployNumber = await assignNumber(run, sequenceScope(service?.id ?? null, input.service), input.deployNumber);
  const { receivedAt } = ctx;
  const deploy: Deploy = {
    id: uuidv7(),
    endpointId,
    service: service ? { id: service.id, name: service.name } : null,
    serviceAlias: input.service,
    environment: input.environment,
    description: input.description,
    deployedAt: input.deployedAt,
    deployUrl: input.deployUrl,
    deployNumber,
    dedupId: input.dedupId,
    deployer: input.deployer,
    commit: input.commit,
    receivedAt,
  };
  const inserted = await run.query(INSERT_DEPLOY, [
    deploy.id, endpointId, service?.id ?? null, input.service, input.environment, input.description,
    input.deployedAt, input.deployUrl, deployNumber, input.dedupId, input.deployer.id, input.deployer.email,
    input.deployer.name, input.commit ? JSON.stringify(input.commit) : null, receivedAt,
  ]);
  if (inserted.length === 0) throw new DuplicateDedupId();
  await run.query(INSERT_EVENT, [
    uuidv7(), 'deploy.recorded', `deploy-endpoint:${endpointId}`, null, input.deployedAt, JSON.stringify(deploy), receivedAt,
  ]);
  return { result: service ? 'ok' : 'no_service_found', deploy };
}
