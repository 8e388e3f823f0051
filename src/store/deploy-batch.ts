import { DEPLOY_FAILED, deployFailedData, deploySubject, reportedFailure } from '../core/deploy-failure.js';
import { uuidv7 } from '../core/ids.js';
import type { DeployInput } from '../core/deploy-payload.js';
import type { Deploy } from '../core/vocabulary.js';
import type { SqlRunner } from './database.js';
import { compactRecordedData } from './deploy-events.js';
import type { EventsHook, StoredEvent } from './events.js';
import { cached, placeholders as list, rowsOf as rows } from './sql.js';

export type IngestResult = 'ok' | 'no_service_found' | 'duplicate_deploy' | 'endpoint_not_found';

export interface IngestOutcome {
  result: IngestResult;
  deploy?: Deploy;
}

export interface IngestItem {
  endpointId: string;
  input: DeployInput;
  /** Recorded by Shipline itself (a connection, a reaction), so an internal endpoint is accepted too. */
  internal?: boolean;
  /** What the deploy's events name as their source; by default its endpoint, `deploy-endpoint:<name>`. */
  eventSource?: string;
}

/** The source of a recorded deploy's events: the item's own (a connection), else the endpoint that took it. */
export const eventSourceOf = (item: IngestItem, endpoint: string | null) => item.eventSource ?? `deploy-endpoint:${endpoint}`;

/** A recorded deploy: what the pipeline reported, with what recording it settled. Both stores' batches build it here. */
export function newDeploy(
  input: DeployInput,
  settled: Pick<Deploy, 'id' | 'endpoint' | 'service' | 'deployNumber' | 'receivedAt'>,
): Deploy {
  return {
    id: settled.id,
    endpoint: settled.endpoint,
    service: settled.service,
    serviceAlias: input.service,
    environment: input.environment,
    description: input.description,
    deployedAt: input.deployedAt,
    deployUrl: input.deployUrl,
    deployNumber: settled.deployNumber,
    dedupId: input.dedupId,
    deployer: input.deployer,
    commit: input.commit,
    receivedAt: settled.receivedAt,
    status: input.status ?? 'succeeded',
    source: input.source ?? 'custom',
  };
}

/** Thrown inside a transaction to undo it: a concurrent ingest committed the same dedup_id first. */
export class DuplicateDedupId extends Error {}

/** The scope a deploy is numbered in: its service, or its alias while no service claims it. */
export function sequenceScope(serviceId: string | null, alias: string): string {
  return serviceId ? `service:${serviceId}` : `alias:${alias}`;
}

const unique = <T>(values: T[]) => [...new Set(values)];

// Each statement's whole text is built once per batch size (sql.ts `cached`), so every batch of
// a size passes the same string to the statement cache.
const SELECT_SERVICES = (n: number) =>
  cached(
    `ingest:services:${n}`,
    () => `SELECT a.alias, s.id, s.name FROM service_aliases a JOIN services s ON s.id = a.service_id WHERE a.alias IN (${list(n)})`,
  );
const SELECT_ENDPOINTS = (n: number) =>
  cached(`ingest:endpoints:${n}`, () => `SELECT id, name, internal FROM deploy_endpoints WHERE id IN (${list(n)})`);
const SELECT_TAKEN = (n: number) => cached(`ingest:taken:${n}`, () => `SELECT dedup_id FROM deploys WHERE dedup_id IN (${list(n)})`);
const INSERT_DEPLOYS = (n: number) =>
  cached(
    `ingest:deploys:${n}`,
    () => `INSERT INTO deploys (${DEPLOY_COLUMNS}) VALUES ${rows(n, 19)} ON CONFLICT (dedup_id) DO NOTHING RETURNING id`,
  );
const INSERT_EVENTS = (n: number) => cached(`ingest:events:${n}`, () => `INSERT INTO events (${EVENT_COLUMNS}) VALUES ${rows(n, 8)}`);

const DEPLOY_COLUMNS = `id, endpoint_id, endpoint, service_id, service_alias, environment, description, deployed_at, deploy_url,
  deploy_number, dedup_id, deployer_id, deployer_email, deployer_name, commit_json, received_at, status, source, recorded_event_id`;
const EVENT_COLUMNS = 'id, type, source, source_key, occurred_at, data, created_at, subject';

// Locks the scope's counter row for the rest of the transaction and reads it.
const LOCK_SEQUENCE = `INSERT INTO deploy_sequences (scope, last_number) VALUES (?, 0)
  ON CONFLICT (scope) DO UPDATE SET last_number = deploy_sequences.last_number RETURNING last_number`;

type Service = { id: string; name: string };

/**
 * Records a batch of deploys in the caller's transaction, set-based: one statement per step for
 * the whole batch rather than per deploy (on PostgreSQL each statement is a network round trip).
 * Outcomes are in item order, with the same meaning as recording the items one after another.
 */
export async function recordBatch(
  run: SqlRunner,
  items: readonly IngestItem[],
  receivedAt: string,
  hook?: EventsHook,
): Promise<IngestOutcome[]> {
  const outcomes: IngestOutcome[] = new Array(items.length);
  const { accepted, endpointNames } = await acceptable(run, items, outcomes);
  if (accepted.length === 0) return outcomes;

  const aliases = unique(accepted.map((i) => items[i]!.input.service));
  const services = new Map<string, Service>();
  const found = await run.query<Service & { alias: string }>(SELECT_SERVICES(aliases.length), aliases);
  for (const row of found) services.set(row.alias, { id: row.id, name: row.name });

  const unclaimed = unique(aliases.filter((a) => !services.has(a)));
  const seenBefore = new Set(
    unclaimed.length === 0
      ? []
      : (
          await run.query<{ alias: string }>(
            // One EXISTS probe per alias: it stops at the first row of the alias in the partial index,
            // where DISTINCT over `IN (…)` walked every unclaimed deploy of the alias, a cost that
            // grew with each deploy an unaccepted suggestion received.
            `SELECT alias FROM (${unclaimed.map(() => 'SELECT CAST(? AS TEXT) AS alias').join(' UNION ALL ')}) AS wanted
            WHERE EXISTS (SELECT 1 FROM deploys WHERE service_id IS NULL AND service_alias = wanted.alias)`,
            unclaimed,
          )
        ).map((r) => r.alias),
  );

  const numbers = await assignNumbers(run, items, accepted, services);
  const deploys = accepted.map((i, k): Deploy => {
    const { endpointId, input } = items[i]!;
    const service = services.get(input.service);
    return newDeploy(input, {
      id: uuidv7(),
      endpoint: endpointNames.get(endpointId)!,
      service: service ? { id: service.id, name: service.name } : null,
      deployNumber: numbers[k]!,
      receivedAt,
    });
  });

  // Each deploy names its deploy.recorded event, which is then found by id rather than through
  // an entry of its own in events_by_type (migration 0015).
  const recordedIds = deploys.map(() => uuidv7());
  // Parameters written into one array of the final size: flatMap built an array per deploy and copied it.
  const deployValues: unknown[] = new Array(deploys.length * 19);
  let v = 0;
  deploys.forEach((d, k) => {
    deployValues[v++] = d.id;
    deployValues[v++] = items[accepted[k]!]!.endpointId;
    deployValues[v++] = d.endpoint;
    deployValues[v++] = d.service?.id ?? null;
    deployValues[v++] = d.serviceAlias;
    deployValues[v++] = d.environment;
    deployValues[v++] = d.description;
    deployValues[v++] = d.deployedAt;
    deployValues[v++] = d.deployUrl;
    deployValues[v++] = d.deployNumber;
    deployValues[v++] = d.dedupId;
    deployValues[v++] = d.deployer.id;
    deployValues[v++] = d.deployer.email;
    deployValues[v++] = d.deployer.name;
    deployValues[v++] = d.commit ? JSON.stringify(d.commit) : null;
    deployValues[v++] = receivedAt;
    deployValues[v++] = d.status;
    deployValues[v++] = d.source;
    deployValues[v++] = recordedIds[k]!;
  });
  const inserted = await run.query<{ id: string }>(INSERT_DEPLOYS(deploys.length), deployValues);
  // Only a concurrent transaction (another PostgreSQL instance) can have taken a dedup_id since the check.
  if (inserted.length !== deploys.length) throw new DuplicateDedupId();

  const sources = deploys.map((d, k) => eventSourceOf(items[accepted[k]!]!, d.endpoint));
  const events: StoredEvent[] = deploys.map((d, k) => ({
    id: recordedIds[k]!,
    type: 'deploy.recorded',
    source: sources[k]!,
    timestamp: d.deployedAt,
    data: d,
    seq: 0,
    correlate: [],
  }));
  // A deploy reported failed from the start has failed: one deploy.failed, about it, beside its deploy.recorded.
  deploys.forEach((d, k) => {
    if (d.status !== 'failed') return;
    events.push({
      id: uuidv7(),
      type: DEPLOY_FAILED,
      source: sources[k]!,
      timestamp: d.deployedAt,
      data: deployFailedData(d, reportedFailure(d)),
      seq: 0,
      correlate: [],
    });
  });
  // The first deploy of an alias no service claims makes it a suggestion.
  deploys.forEach((d, k) => {
    if (d.service || seenBefore.has(d.serviceAlias)) return;
    seenBefore.add(d.serviceAlias);
    events.push({
      id: uuidv7(),
      type: 'suggestion.created',
      source: sources[k]!,
      timestamp: receivedAt,
      data: { alias: d.serviceAlias, deployId: d.id, environment: d.environment },
      seq: 0,
      correlate: [],
    });
  });
  const eventValues: unknown[] = new Array(events.length * 8);
  v = 0;
  for (const e of events) {
    eventValues[v++] = e.id;
    eventValues[v++] = e.type;
    eventValues[v++] = e.source;
    eventValues[v++] = null;
    eventValues[v++] = e.timestamp;
    // The recorded deploy is stored compact (readers rebuild it from its row); the hook gets it whole.
    eventValues[v++] = e.type === 'deploy.recorded' ? compactRecordedData(e.data as Deploy) : JSON.stringify(e.data);
    eventValues[v++] = receivedAt;
    eventValues[v++] = e.type === DEPLOY_FAILED ? deploySubject((e.data as { id: string }).id) : null;
  }
  await run.query(INSERT_EVENTS(events.length), eventValues);
  // Runs of the reactions these events start commit in the same transaction as the deploys.
  if (hook) await hook(run, events);
  accepted.forEach((i, k) => {
    const deploy = deploys[k]!;
    outcomes[i] = { result: deploy.service ? 'ok' : 'no_service_found', deploy };
  });
  return outcomes;
}

/**
 * Settles unknown endpoints (an internal one too, unless Shipline itself records) and duplicates
 * (stored, or earlier in the batch); returns the rest, and the names of their endpoints.
 */
async function acceptable(
  run: SqlRunner,
  items: readonly IngestItem[],
  outcomes: IngestOutcome[],
): Promise<{ accepted: number[]; endpointNames: Map<string, string> }> {
  const endpointIds = unique(items.map((i) => i.endpointId));
  const endpoints = new Map(
    (await run.query<{ id: string; name: string; internal: number | string }>(SELECT_ENDPOINTS(endpointIds.length), endpointIds)).map(
      (r) => [r.id, { name: r.name, internal: Number(r.internal) === 1 }],
    ),
  );
  const allowed = (item: IngestItem) => {
    const endpoint = endpoints.get(item.endpointId);
    return endpoint !== undefined && (item.internal === true || !endpoint.internal);
  };
  const wanted = new Set<string>();
  for (const item of items) if (item.input.dedupId !== null && allowed(item)) wanted.add(item.input.dedupId);
  const dedupIds = [...wanted];
  const taken = new Set(
    dedupIds.length === 0 ? [] : (await run.query<{ dedup_id: string }>(SELECT_TAKEN(dedupIds.length), dedupIds)).map((r) => r.dedup_id),
  );
  const accepted: number[] = [];
  items.forEach((item, i) => {
    const { input } = item;
    if (!allowed(item)) outcomes[i] = { result: 'endpoint_not_found' };
    else if (input.dedupId !== null && taken.has(input.dedupId)) outcomes[i] = { result: 'duplicate_deploy' };
    else {
      if (input.dedupId !== null) taken.add(input.dedupId);
      accepted.push(i);
    }
  });
  return { accepted, endpointNames: new Map([...endpoints].map(([id, e]) => [id, e.name])) };
}

/**
 * Numbers the accepted deploys, in order, per scope. A pipeline's own numbers move the sequence
 * forward, so numbers assigned later continue after them.
 */
async function assignNumbers(
  run: SqlRunner,
  items: readonly IngestItem[],
  accepted: number[],
  services: Map<string, Service>,
): Promise<string[]> {
  const byScope = new Map<string, number[]>();
  accepted.forEach((i, k) => {
    const alias = items[i]!.input.service;
    const scope = sequenceScope(services.get(alias)?.id ?? null, alias);
    const positions = byScope.get(scope);
    if (positions) positions.push(k);
    else byScope.set(scope, [k]);
  });
  const numbers: string[] = new Array(accepted.length);
  // Scopes are locked in sorted order, so two batches in flight never wait on each other in a cycle.
  for (const [scope, positions] of [...byScope].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) {
    const [row] = await run.query<{ last_number: number | string }>(LOCK_SEQUENCE, [scope]);
    const start = Number(row!.last_number);
    let last = start;
    for (const k of positions) {
      const given = items[accepted[k]!]!.input.deployNumber;
      if (given === null) numbers[k] = String(++last);
      else {
        numbers[k] = given;
        if (/^\d{1,15}$/.test(given)) last = Math.max(last, Number(given));
      }
    }
    if (last !== start) await run.query('UPDATE deploy_sequences SET last_number = ? WHERE scope = ?', [last, scope]);
  }
  return numbers;
}
