import type { Deploy } from '../core/vocabulary.js';
import type { SqlRunner } from './database.js';
import { placeholders } from './sql.js';

/**
 * A `deploy.recorded` event's data is the deploy as it was recorded. Stored whole, it repeated
 * the deploy row beside it (about half an ingested deploy's bytes, see docs/decisions/0035), so
 * the ingest stores it compact: this prefix, then the members a deploy row can change later
 * (its service, description, deployer, status) as they were at recording. Every reader rebuilds
 * the rest from the deploy row, whose other members never change, with `eventData`. (A migration
 * that rewrote one of those columns would change what such events read: keep them as recorded.)
 *
 * The prefix makes the text not JSON, so no other event's data can be taken for a compact one,
 * and a reader that parsed it without rebuilding would fail loudly rather than read a part.
 */
export const COMPACT_RECORDED = 'deploy:';

/** What a compact `deploy.recorded` keeps of its deploy (JSON members in this order). */
type Kept = Pick<Deploy, 'id' | 'service' | 'description' | 'deployer' | 'status'>;

/** The stored text of a `deploy.recorded` event's data. */
export function compactRecordedData(deploy: Deploy): string {
  return `${COMPACT_RECORDED}${compactRecordedJson(deploy)}`;
}

/** The JSON after the prefix; the PostgreSQL ingest writes `{"id":…,"service":…` itself and this from the description on. */
export function compactRecordedJson(deploy: Kept): string {
  const kept: Kept = {
    id: deploy.id,
    service: deploy.service,
    description: deploy.description,
    deployer: deploy.deployer,
    status: deploy.status,
  };
  return JSON.stringify(kept);
}

/** The id of the deploy a stored `deploy.recorded` data names, compact or whole, without rebuilding it. */
export function recordedDeployId(stored: string): unknown {
  const json = stored.startsWith(COMPACT_RECORDED) ? stored.slice(COMPACT_RECORDED.length) : stored;
  return (JSON.parse(json) as { id?: unknown }).id;
}

const IDS_PER_READ = 500;

type FixedRow = {
  id: string;
  endpoint: string | null;
  service_alias: string;
  environment: string | null;
  deployed_at: string;
  deploy_url: string | null;
  deploy_number: string;
  dedup_id: string | null;
  commit_json: string | null;
  received_at: string;
  source: string;
};

/** The recorded deploy, members in the order the ingest built it (deploy-batch.ts `newDeploy`). */
function rebuilt(kept: Kept, row: FixedRow): Deploy {
  return {
    id: kept.id,
    endpoint: row.endpoint,
    service: kept.service,
    serviceAlias: row.service_alias,
    environment: row.environment,
    description: kept.description,
    deployedAt: row.deployed_at,
    deployUrl: row.deploy_url,
    deployNumber: row.deploy_number,
    dedupId: row.dedup_id,
    deployer: kept.deployer,
    commit: row.commit_json === null ? null : (JSON.parse(row.commit_json) as Deploy['commit']),
    receivedAt: row.received_at,
    status: kept.status,
    source: row.source,
  };
}

/**
 * The data of stored events as the events were stored, in order: parsed JSON, and compact
 * `deploy.recorded` data rebuilt from their deploy rows, read with one statement in `run`.
 */
export async function eventData(run: SqlRunner, stored: readonly string[]): Promise<unknown[]> {
  const kept = new Map<number, Kept>();
  const out: unknown[] = stored.map((text, i) => {
    if (!text.startsWith(COMPACT_RECORDED)) return JSON.parse(text) as unknown;
    kept.set(i, JSON.parse(text.slice(COMPACT_RECORDED.length)) as Kept);
    return undefined;
  });
  if (kept.size === 0) return out;
  const ids = [...new Set([...kept.values()].map((k) => k.id))];
  const byId = new Map<string, FixedRow>();
  // In slices, so a long list (a timeline's runs) stays within both dialects' limits on parameters.
  for (let start = 0; start < ids.length; start += IDS_PER_READ) {
    const slice = ids.slice(start, start + IDS_PER_READ);
    const rows = await run.query<FixedRow>(
      `SELECT id, endpoint, service_alias, environment, deployed_at, deploy_url, deploy_number, dedup_id, commit_json, received_at, source
       FROM deploys WHERE id IN (${placeholders(slice.length)})`,
      slice,
    );
    for (const row of rows) byId.set(row.id, row);
  }
  for (const [i, k] of kept) {
    const row = byId.get(k.id);
    // Deploys are never deleted; should one be removed by hand, its event still reads what it kept.
    out[i] = row ? rebuilt(k, row) : k;
  }
  return out;
}
