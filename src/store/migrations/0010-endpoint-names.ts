import { sql } from 'kysely';
import type { Kysely } from 'kysely';

/** The name Shipline shows for an endpoint deleted before deploys kept their endpoint's name (as store/endpoints.ts). */
const DELETED_ENDPOINT = '(deleted)';
/** The reactions' built-in endpoint (see engine/runtime.ts), internal from now on. */
const BUILTIN_ENDPOINT = 'reactions (built-in)';
const BATCH = 1000;
/** Endpoint ids rewritten per statement: each adds two nested replace() calls per column. */
const IDS_PER_STATEMENT = 40;

/**
 * A deploy endpoint's id is its credential, so records stop carrying it (decision 0013):
 * - `deploy_endpoints.internal` marks Shipline's own endpoints (one per connection, the reactions'
 *   built-in one): not listed, not deletable, not posted to.
 * - `deploys.endpoint` keeps the endpoint's name with the deploy.
 * - Stored events name the endpoint (`source: deploy-endpoint:<name>`, `data.endpoint`), and the
 *   copies of ids in events and run records (rendered inputs, outputs, logs, errors) become names.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('deploy_endpoints').addColumn('internal', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await sql`UPDATE deploy_endpoints SET internal = 1 WHERE name = ${BUILTIN_ENDPOINT} OR id IN (SELECT endpoint_id FROM connections)`.execute(db);
  await db.schema.alterTable('deploys').addColumn('endpoint', 'text').execute();
  await sql`UPDATE deploys SET endpoint = (SELECT e.name FROM deploy_endpoints e WHERE e.id = deploys.endpoint_id)`.execute(db);

  const names = new Map((await sql<{ id: string; name: string }>`SELECT id, name FROM deploy_endpoints`.execute(db)).rows.map((r) => [r.id, r.name]));
  const deleted = await sql<{ id: string }>`SELECT DISTINCT endpoint_id AS id FROM deploys WHERE endpoint IS NULL`.execute(db);
  for (const { id } of deleted.rows) names.set(id, DELETED_ENDPOINT);
  await renameEventSources(db, names);
  const ids = [...names.keys()];
  for (let i = 0; i < ids.length; i += IDS_PER_STATEMENT) {
    const chunk = ids.slice(i, i + IDS_PER_STATEMENT).map((id) => ({ id, name: names.get(id)! }));
    await replaceIds(db, 'events', ['data'], [], chunk);
    await replaceIds(db, 'step_executions', ['input', 'output', 'logs'], ['error'], chunk);
    await replaceIds(db, 'runs', [], ['error'], chunk);
  }
}

type EventRow = { seq: number | string; source: string; data: string };

/** `deploy-endpoint:<id>` becomes `deploy-endpoint:<name>`, and the deploy's `endpointId` its `endpoint`. */
async function renameEventSources(db: Kysely<unknown>, names: Map<string, string>): Promise<void> {
  let after = 0;
  for (;;) {
    const { rows } = await sql<EventRow>`SELECT seq, source, data FROM events
      WHERE seq > ${after} AND source LIKE 'deploy-endpoint:%' ORDER BY seq LIMIT ${BATCH}`.execute(db);
    for (const row of rows) {
      const id = row.source.slice('deploy-endpoint:'.length);
      if (!names.has(id)) names.set(id, DELETED_ENDPOINT);
      const name = names.get(id)!;
      await sql`UPDATE events SET source = ${`deploy-endpoint:${name}`}, data = ${withEndpointName(row.data, name)} WHERE seq = ${row.seq}`.execute(db);
    }
    if (rows.length < BATCH) return;
    after = Number(rows[rows.length - 1]!.seq);
  }
}

/** The event data with a top-level `endpointId` turned into `endpoint` (the name; null once deleted), in its place. */
function withEndpointName(data: string, name: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return data;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed) || !('endpointId' in parsed)) return data;
  const entries = Object.entries(parsed).map(([key, value]) => (key === 'endpointId' ? ['endpoint', name === DELETED_ENDPOINT ? null : name] : [key, value]));
  return JSON.stringify(Object.fromEntries(entries));
}

/**
 * Replaces every id in the columns by the endpoint's name, in one scan of the table. In JSON
 * columns a copied deploy's `"endpointId":"<id>"` becomes `"endpoint":"<name>"` (also inside a
 * string holding JSON, one level down); elsewhere the id becomes the name without the characters
 * JSON would escape, so a copy at any depth stays valid JSON.
 */
async function replaceIds(db: Kysely<unknown>, table: string, jsonColumns: string[], textColumns: string[], endpoints: Array<{ id: string; name: string }>): Promise<void> {
  const columns = [...jsonColumns, ...textColumns];
  if (columns.length === 0 || endpoints.length === 0) return;
  const rewritten = (column: string, json: boolean) =>
    endpoints.reduce((expr, { id, name }) => {
      const plain = [...name].filter((c) => c !== '"' && c !== '\\' && c >= ' ').join('');
      const deleted = name === DELETED_ENDPOINT;
      let out = expr;
      if (json) {
        out = sql`replace(${out}, ${`"endpointId":"${id}"`}, ${`"endpoint":${deleted ? 'null' : JSON.stringify(name)}`})`;
        out = sql`replace(${out}, ${`\\"endpointId\\":\\"${id}\\"`}, ${`\\"endpoint\\":${deleted ? 'null' : `\\"${plain}\\"`}`})`;
      }
      return sql`replace(${out}, ${id}, ${json ? plain : name})`;
    }, sql.ref(column) as ReturnType<typeof sql>);
  const sets = sql.join(columns.map((c) => sql`${sql.ref(c)} = ${rewritten(c, jsonColumns.includes(c))}`));
  // Ids are generated (hex digits and dashes), so they hold no LIKE wildcard.
  const matches = sql.join(columns.flatMap((c) => endpoints.map(({ id }) => sql`${sql.ref(c)} LIKE ${`%${id}%`}`)), sql` OR `);
  await sql`UPDATE ${sql.table(table)} SET ${sets} WHERE ${matches}`.execute(db);
}
