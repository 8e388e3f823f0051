import { DEPLOY_FAILED, reportedFailure } from '../core/deploy-failure.js';
import { uuidv7 } from '../core/ids.js';
import { globMatches } from '../core/reactions/matching.js';
import type { Deploy } from '../core/vocabulary.js';
import type { IngestItem, IngestOutcome } from './deploy-batch.js';
import { DuplicateDedupId, eventSourceOf, newDeploy } from './deploy-batch.js';
import { COMPACT_RECORDED, compactRecordedJson } from './deploy-events.js';
import type { StoredEvent } from './events.js';

/**
 * The PostgreSQL ingest: a whole batch in ONE statement, a data-modifying CTE taking the batch as
 * arrays. It settles endpoints and duplicates, resolves aliases, locks and advances each scope's
 * sequence, and inserts the deploys and their events. One statement is atomic on its own, so
 * where nothing else must share its transaction it runs without BEGIN/COMMIT: one round trip.
 *
 * Numbering, set-based: in a scope, with `c` the count of unnumbered deploys so far and `m` the
 * running maximum of `given - c` over the pipeline-numbered ones, an unnumbered deploy gets
 * `c + max(start, m)`; the same as counting up one by one while given numbers move the counter
 * forward (deploy-batch.ts `assignNumbers`).
 *
 * Each deploy names its `deploy.recorded` event (`recorded_event_id`), which is then found by id
 * rather than through an entry of its own in `events_by_type` (migration 0018).
 *
 * Events carry the deploy as JSON text, byte for byte what SQLite's ingest writes (`deploy.failed`
 * the whole deploy, `deploy.recorded` its compact form, deploy-events.ts): the members known
 * before the statement are serialized here, the ones it finds (endpoint name, service, number) by
 * `to_json`, which escapes strings as JSON.stringify does.
 *
 * `$26` names each deploy's event source where it is not its endpoint (a connection's deploys).
 *
 * `$27` lists the aliases whose suggestion lock the transaction holds (LOCK_SUGGESTIONS). A deploy
 * under an alias no service claims and with no unclaimed deploy yet makes the alias a suggestion;
 * a batch holding one is written only under that alias's lock, else the statement writes none of
 * it and answers `lock` (the batch keeps its order in one commit). The check reads the statement's
 * snapshot, which a row lock met later in the statement does not renew: two instances recording
 * such an alias's first deploys at once would both see it new. Taken before the statement, the
 * lock makes the second one's snapshot start after the first committed.
 *
 * The dedup check is a scalar subquery per deploy, not `NOT EXISTS`: PostgreSQL turns `NOT EXISTS`
 * into an anti-join, and the plan each connection keeps for this statement, made while `deploys`
 * was never analyzed (PostgreSQL then assumes 10 pages), hashed the whole table once per batch: a
 * read of every deploy, growing with the table, until autovacuum's first ANALYZE. A subquery runs
 * for each deploy, and one probe of the unique index costs less than a pass over 10 pages, so such
 * a plan probes. A plan made after an ANALYZE of a table a few pages long can still scan it; the
 * connection plans again within 64 statements (database.ts `replanNowAndThen`, docs/decisions/0054).
 *
 * `$25` guards the batch with the reactions' generation (engine_state): when it moved since the
 * caller learned that no enabled reaction listens for these events, the statement writes nothing
 * and answers the generation it read, so a reaction applied by any process is never missed.
 * (PostgreSQL placeholders are written `$n`; the SQL holds no `?`, which the runner would rewrite.)
 */
export const INGEST = `WITH
items AS MATERIALIZED (
  SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
    $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[],
    $18::text[], $19::text[], $20::text[], $21::text[], $22::text[], $23::text[], $26::text[])
  WITH ORDINALITY AS t(endpoint_id, internal, alias, dedup_id, given, id, environment, description, deployed_at, deploy_url,
    deployer_id, deployer_email, deployer_name, commit_json, status, source, event_id, frag_b, frag_c, failed_id, failed_c,
    suggestion_id, suggestion_data, event_source, k)
),
state AS MATERIALIZED (SELECT COALESCE((SELECT value FROM engine_state WHERE name = 'reactions'), 0) AS generation),
allowed AS MATERIALIZED (
  SELECT i.k, i.alias, i.dedup_id, i.given, ep.name AS endpoint, row_number() OVER (PARTITION BY i.dedup_id ORDER BY i.k) AS nth
  FROM items i JOIN deploy_endpoints ep ON ep.id = i.endpoint_id AND (i.internal = 1 OR ep.internal = 0)
  WHERE $25::bigint IS NULL OR $25::bigint = (SELECT generation FROM state)
),
accepted AS MATERIALIZED (
  SELECT a.k, a.alias, a.given, a.endpoint, s.id AS service_id, s.name AS service_name,
    CASE WHEN s.id IS NULL THEN 'alias:' || a.alias ELSE 'service:' || s.id END AS scope,
    s.id IS NULL AND NOT EXISTS (SELECT 1 FROM deploys d WHERE d.service_id IS NULL AND d.service_alias = a.alias) AS unseen
  FROM allowed a
  LEFT JOIN (service_aliases sa JOIN services s ON s.id = sa.service_id) ON sa.alias = a.alias
  WHERE a.dedup_id IS NULL OR (a.nth = 1 AND (SELECT true FROM deploys d WHERE d.dedup_id = a.dedup_id) IS NULL)
),
admitted AS MATERIALIZED (
  SELECT * FROM accepted WHERE NOT EXISTS (SELECT 1 FROM accepted u WHERE u.unseen AND NOT u.alias = ANY($27::text[]))
),
ranked AS MATERIALIZED (
  SELECT x.k, x.scope, x.given, x.c,
    max(CASE WHEN x.given ~ '^[0-9]{1,15}$' THEN x.given::bigint - x.c END) OVER (PARTITION BY x.scope ORDER BY x.k) AS m
  FROM (SELECT y.k, y.scope, y.given, count(*) FILTER (WHERE y.given IS NULL) OVER (PARTITION BY y.scope ORDER BY y.k) AS c
    FROM admitted y) x
),
totals AS MATERIALIZED (SELECT scope, max(c) AS c, max(m) AS m FROM ranked GROUP BY scope),
locked AS MATERIALIZED (
  SELECT q.scope, q.last_number FROM deploy_sequences q WHERE q.scope IN (SELECT scope FROM totals) ORDER BY q.scope FOR UPDATE
),
advanced AS (
  UPDATE deploy_sequences q SET last_number = t.c + GREATEST(l.last_number, t.m)
  FROM locked l JOIN totals t ON t.scope = l.scope
  WHERE q.scope = l.scope AND t.c + GREATEST(l.last_number, t.m) <> l.last_number
),
fresh AS (
  INSERT INTO deploy_sequences (scope, last_number)
  SELECT t.scope, t.c + GREATEST(0, t.m) FROM totals t WHERE t.scope NOT IN (SELECT scope FROM locked) ORDER BY t.scope
  ON CONFLICT (scope) DO NOTHING RETURNING scope
),
numbered AS MATERIALIZED (
  SELECT r.k, CASE WHEN r.given IS NULL THEN (r.c + GREATEST(s.start, r.m))::text ELSE r.given END AS number
  FROM ranked r JOIN (SELECT scope, last_number AS start FROM locked UNION ALL SELECT scope, 0 FROM fresh) s ON s.scope = r.scope
),
suggest AS MATERIALIZED (
  SELECT DISTINCT ON (d.alias) d.k FROM numbered n JOIN admitted d ON d.k = n.k WHERE d.unseen ORDER BY d.alias, d.k
),
written AS MATERIALIZED (
  SELECT i.*, d.endpoint, d.service_id, d.service_name, n.number FROM numbered n JOIN admitted d ON d.k = n.k JOIN items i ON i.k = n.k
),
deployed AS (
  INSERT INTO deploys (id, endpoint_id, endpoint, service_id, service_alias, environment, description, deployed_at, deploy_url,
    deploy_number, dedup_id, deployer_id, deployer_email, deployer_name, commit_json, received_at, status, source, recorded_event_id)
  SELECT id, endpoint_id, endpoint, service_id, alias, environment, description, deployed_at, deploy_url,
    number, dedup_id, deployer_id, deployer_email, deployer_name, commit_json, $24, status, source, event_id
  FROM written ORDER BY k
),
body AS (
  SELECT w.k, w.id, w.event_id, w.failed_id, w.failed_c, w.suggestion_id, w.suggestion_data, w.deployed_at,
    COALESCE(w.event_source, 'deploy-endpoint:' || w.endpoint) AS said_by, v.service_json,
    '{"id":' || to_json(w.id)::text || ',"endpoint":' || to_json(w.endpoint)::text || ',"service":' || v.service_json
    || w.frag_b || to_json(w.number)::text AS head,
    '${COMPACT_RECORDED}{"id":' || to_json(w.id)::text || ',"service":' || v.service_json || w.frag_c AS compact
  FROM written w CROSS JOIN LATERAL (SELECT CASE WHEN w.service_id IS NULL THEN 'null'
    ELSE '{"id":' || to_json(w.service_id)::text || ',"name":' || to_json(w.service_name)::text || '}' END AS service_json) v
),
stored AS (
  INSERT INTO events (id, type, source, source_key, occurred_at, data, created_at, subject)
  SELECT id, type, source, NULL, occurred_at, data, $24, subject FROM (
    SELECT 0 AS part, k, event_id AS id, 'deploy.recorded' AS type, said_by AS source,
      deployed_at AS occurred_at, compact AS data, NULL AS subject FROM body
    UNION ALL
    SELECT 1, k, failed_id, '${DEPLOY_FAILED}', said_by, deployed_at, head || failed_c, 'deploy:' || id
    FROM body WHERE failed_id IS NOT NULL
    UNION ALL
    SELECT 2, k, suggestion_id, 'suggestion.created', said_by, $24, suggestion_data, NULL
    FROM body WHERE k IN (SELECT k FROM suggest)
  ) e ORDER BY part, k
)
SELECT i.k, g.generation, a.endpoint, acc.k IS NOT NULL AS accepted, n.number, acc.service_id, acc.service_name,
  s.k IS NOT NULL AS suggested, acc.k IS NOT NULL AND ad.k IS NULL AS held, COALESCE(acc.unseen, false) AS unseen
FROM items i CROSS JOIN state g LEFT JOIN allowed a ON a.k = i.k LEFT JOIN accepted acc ON acc.k = i.k
LEFT JOIN admitted ad ON ad.k = i.k LEFT JOIN numbered n ON n.k = i.k LEFT JOIN suggest s ON s.k = i.k
ORDER BY i.k`;

type Row = {
  k: string;
  generation: string;
  endpoint: string | null;
  accepted: boolean;
  number: string | null;
  service_id: string | null;
  service_name: string | null;
  suggested: boolean;
  held: boolean;
  unseen: boolean;
};

/** Runs one statement: alone (autocommit) or in the caller's transaction. */
export type Statement = <R>(sql: string, params: readonly unknown[]) => Promise<R[]>;

/** What one statement did with a batch. */
export interface PgBatchResult {
  /** The reactions' generation moved past the guard: nothing was written. */
  stale: boolean;
  /** The generation the statement read. */
  generation: number;
  /** In item order; undefined for an item to send again (see `retry`). */
  outcomes: Array<IngestOutcome | undefined>;
  /**
   * Items whose scope's first sequence row a concurrent transaction created meanwhile: not
   * written, and numbered by the next statement, which sees that row.
   */
  retry: number[];
  /**
   * Items held back, unwritten, because one of the batch would make its alias a suggestion without
   * holding its lock: to be sent again in a transaction holding the locks of `locks`.
   */
  lock: number[];
  /** The aliases whose suggestion locks the items in `lock` need. */
  locks: string[];
  /** The events stored, as the events hook takes them. */
  events: StoredEvent[];
}

/** A compact deploy.recorded's JSON from the description on: the statement writes the id and service before it. */
function compactTail(kept: Pick<Deploy, 'description' | 'deployer' | 'status'>): string {
  const head = '{"id":"","service":null';
  return compactRecordedJson({ id: '', service: null, ...kept }).slice(head.length);
}

/** The JSON members of `value` (an object), without braces: as JSON.stringify writes them. */
const members = (value: object) => JSON.stringify(value).slice(1, -1);

/** The event types an ingest stores. */
export const INGEST_EVENT_TYPES = ['deploy.recorded', DEPLOY_FAILED, 'suggestion.created'] as const;

/** Whether a reaction with one of these triggers (type or glob) starts on an event the ingest stores. */
export function listensToIngest(triggers: readonly string[]): boolean {
  return triggers.some((t) => INGEST_EVENT_TYPES.some((type) => globMatches(t, type)));
}

/**
 * Takes each alias's suggestion lock ($1, sorted: two transactions never wait on each other in a
 * cycle) until the transaction ends; run before the statement, whose snapshot then sees the
 * deploys of every transaction that held one of them before.
 */
export const LOCK_SUGGESTIONS = `SELECT pg_advisory_xact_lock(hashtext('shipline.suggestion'), hashtext(alias))
  FROM unnest($1::text[]) AS alias ORDER BY alias`;

/** Reads the reactions' generation and the triggers of the enabled reactions, in one statement. */
export const WATCH = `SELECT COALESCE((SELECT value FROM engine_state WHERE name = 'reactions'), 0) AS generation,
  COALESCE((SELECT json_agg(trigger) FROM reactions WHERE enabled = 1), '[]') AS triggers`;

/**
 * Records a batch in one statement. `guard`: the reactions' generation the caller saw with no
 * listener (the statement then writes only if it still holds), or null to write regardless.
 * `ids`: the deploys' ids, in item order (default: new ones); a batch sent again keeps them, so
 * what an earlier statement committed is found by them, and never inserted twice (the primary key).
 * `locks`: the aliases whose suggestion lock the caller's transaction holds (see `$27`).
 */
export async function recordBatchPg(
  statement: Statement,
  items: readonly IngestItem[],
  receivedAt: string,
  guard: number | null,
  ids: readonly string[] = items.map(() => uuidv7()),
  locks: readonly string[] = [],
): Promise<PgBatchResult> {
  const eventIds = items.map(() => uuidv7());
  const failedIds = items.map((item) => ((item.input.status ?? 'succeeded') === 'failed' ? uuidv7() : null));
  const suggestionIds = items.map(() => uuidv7());
  const column = <T>(pick: (item: IngestItem, i: number) => T) => items.map(pick);
  const tail = (item: IngestItem) => ({
    dedupId: item.input.dedupId,
    deployer: item.input.deployer,
    commit: item.input.commit,
    receivedAt,
    status: item.input.status ?? 'succeeded',
    source: item.input.source ?? 'custom',
  });
  const params = [
    column((item) => item.endpointId),
    column((item) => (item.internal ? 1 : 0)),
    column((item) => item.input.service),
    column((item) => item.input.dedupId),
    column((item) => item.input.deployNumber),
    ids,
    column((item) => item.input.environment),
    column((item) => item.input.description),
    column((item) => item.input.deployedAt),
    column((item) => item.input.deployUrl),
    column((item) => item.input.deployer.id),
    column((item) => item.input.deployer.email),
    column((item) => item.input.deployer.name),
    column((item) => (item.input.commit ? JSON.stringify(item.input.commit) : null)),
    column((item) => item.input.status ?? 'succeeded'),
    column((item) => item.input.source ?? 'custom'),
    eventIds,
    column(({ input }) => {
      const middle = { serviceAlias: input.service, environment: input.environment, description: input.description };
      return `,${members({ ...middle, deployedAt: input.deployedAt, deployUrl: input.deployUrl })},"deployNumber":`;
    }),
    column(({ input }) => compactTail({ description: input.description, deployer: input.deployer, status: input.status ?? 'succeeded' })),
    failedIds,
    column((item, i) =>
      failedIds[i] === null
        ? null
        : `,${members(tail(item))},"failure":${JSON.stringify(reportedFailure({ source: item.input.source ?? 'custom', description: item.input.description }))}}`,
    ),
    suggestionIds,
    column(({ input }, i) => JSON.stringify({ alias: input.service, deployId: ids[i], environment: input.environment })),
    receivedAt,
    guard,
    column((item) => item.eventSource ?? null),
    locks,
  ];
  const rows = await statement<Row>(INGEST, params);
  const generation = Number(rows[0]?.generation ?? 0);
  if (guard !== null && generation !== guard) return { stale: true, generation, outcomes: [], retry: [], lock: [], locks: [], events: [] };

  const outcomes: Array<IngestOutcome | undefined> = new Array(items.length);
  const retry: number[] = [];
  const lock: number[] = [];
  const locking = new Set<string>();
  const recorded: StoredEvent[] = [];
  const failed: StoredEvent[] = [];
  const suggested: StoredEvent[] = [];
  for (const row of rows) {
    const i = Number(row.k) - 1;
    const { input } = items[i]!;
    if (row.endpoint === null) outcomes[i] = { result: 'endpoint_not_found' };
    else if (!row.accepted) outcomes[i] = { result: 'duplicate_deploy' };
    else if (row.held) {
      lock.push(i);
      if (row.unseen) locking.add(input.service);
    } else if (row.number === null) retry.push(i);
    else {
      const deploy = newDeploy(input, {
        id: ids[i]!,
        endpoint: row.endpoint,
        service: row.service_id === null ? null : { id: row.service_id, name: row.service_name! },
        deployNumber: row.number,
        receivedAt,
      });
      outcomes[i] = { result: deploy.service ? 'ok' : 'no_service_found', deploy };
      const source = eventSourceOf(items[i]!, row.endpoint);
      const event = { source, seq: 0, correlate: [] };
      recorded.push({ ...event, id: eventIds[i]!, type: 'deploy.recorded', timestamp: deploy.deployedAt, data: deploy });
      if (failedIds[i] !== null) {
        failed.push({
          ...event,
          id: failedIds[i]!,
          type: DEPLOY_FAILED,
          timestamp: deploy.deployedAt,
          data: { ...deploy, failure: reportedFailure(deploy) },
        });
      }
      if (row.suggested) {
        suggested.push({
          ...event,
          id: suggestionIds[i]!,
          type: 'suggestion.created',
          timestamp: receivedAt,
          data: { alias: deploy.serviceAlias, deployId: deploy.id, environment: deploy.environment },
        });
      }
    }
  }
  return { stale: false, generation, outcomes, retry, lock, locks: [...locking], events: [...recorded, ...failed, ...suggested] };
}

/** The deploys' dedup_id index refused a row: a concurrent transaction committed the same dedup_id first. */
export function asDuplicate(err: unknown): unknown {
  const e = err as { code?: unknown; constraint?: unknown };
  return e?.code === '23505' && e.constraint === 'deploys_dedup_id_key' ? new DuplicateDedupId() : err;
}
