import { sql } from 'kysely';
import type { Kysely } from 'kysely';

/** The name Shipline shows for an endpoint deleted before deploys kept their endpoint's name (as store/endpoints.ts). */
const DELETED_ENDPOINT = '(deleted)';
/** The reactions' built-in endpoint (see src/runtime.ts), internal from now on. */
const BUILTIN_ENDPOINT = 'reactions (built-in)';
const SOURCE_PREFIX = 'deploy-endpoint:';
/** Endpoint ids rewritten per statement: each adds two nested replace() calls per column. */
const IDS_PER_STATEMENT = 40;

/**
 * A deploy endpoint's id is its credential, so records stop carrying it (decision 0013):
 * - `deploy_endpoints.internal` marks Shipline's own endpoints (one per connection, the reactions'
 *   built-in one): not listed, not deletable, not posted to.
 * - `deploys.endpoint` keeps the endpoint's name with the deploy.
 * - Stored events name the endpoint (`source: deploy-endpoint:<name>`, `data.endpoint`), and the
 *   copies of ids in events and run records (rendered inputs, outputs, logs, errors) become names.
 * Set-based, a few statements per 40 endpoints, each one scan of its table: a statement per row
 * would cost a commit per row on SQLite, whose migrations run outside a transaction.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('deploy_endpoints')
    .addColumn('internal', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await sql`UPDATE deploy_endpoints SET internal = 1 WHERE name = ${BUILTIN_ENDPOINT} OR id IN (SELECT endpoint_id FROM connections)`.execute(
    db,
  );
  await db.schema.alterTable('deploys').addColumn('endpoint', 'text').execute();
  await sql`UPDATE deploys SET endpoint = (SELECT e.name FROM deploy_endpoints e WHERE e.id = deploys.endpoint_id)`.execute(db);

  const names = new Map(
    (await sql<{ id: string; name: string }>`SELECT id, name FROM deploy_endpoints`.execute(db)).rows.map((r) => [r.id, r.name]),
  );
  // Endpoints deleted before now: known from their deploys and from their events' source.
  const deleted = await sql<{ id: string }>`SELECT DISTINCT endpoint_id AS id FROM deploys WHERE endpoint IS NULL
    UNION SELECT DISTINCT substr(source, ${sql.lit(SOURCE_PREFIX.length + 1)}) AS id FROM events WHERE source LIKE ${`${SOURCE_PREFIX}%`}`.execute(
    db,
  );
  for (const { id } of deleted.rows) if (!names.has(id)) names.set(id, DELETED_ENDPOINT);
  const ids = [...names.keys()];
  for (let i = 0; i < ids.length; i += IDS_PER_STATEMENT) {
    const chunk = ids.slice(i, i + IDS_PER_STATEMENT).map((id) => ({ id, name: names.get(id)! }));
    await renameSources(db, chunk);
    await replaceIds(db, 'events', ['data'], [], chunk);
    await replaceIds(db, 'step_executions', ['input', 'output', 'logs'], ['error'], chunk);
    await replaceIds(db, 'runs', [], ['error'], chunk);
  }
}

/** `deploy-endpoint:<id>` becomes `deploy-endpoint:<name>`, in one statement for the chunk. */
async function renameSources(db: Kysely<unknown>, endpoints: Array<{ id: string; name: string }>): Promise<void> {
  const cases = sql.join(
    endpoints.map(({ id, name }) => sql`WHEN ${SOURCE_PREFIX + id} THEN ${SOURCE_PREFIX + name}`),
    sql` `,
  );
  const sources = sql.join(endpoints.map(({ id }) => sql`${SOURCE_PREFIX + id}`));
  await sql`UPDATE events SET source = CASE source ${cases} ELSE source END WHERE source IN (${sources})`.execute(db);
}

/**
 * Replaces every id in the columns by the endpoint's name, in one scan of the table. In JSON
 * columns a copied deploy's `"endpointId":"<id>"` becomes `"endpoint":"<name>"` (also inside a
 * string holding JSON, one level down); elsewhere the id becomes the name without the characters
 * JSON would escape, so a copy at any depth stays valid JSON.
 */
async function replaceIds(
  db: Kysely<unknown>,
  table: string,
  jsonColumns: string[],
  textColumns: string[],
  endpoints: Array<{ id: string; name: string }>,
): Promise<void> {
  const columns = [...jsonColumns, ...textColumns];
  if (columns.length === 0 || endpoints.length === 0) return;
  const rewritten = (column: string, json: boolean) =>
    endpoints.reduce(
      (expr, { id, name }) => {
        const plain = [...name].filter((c) => c !== '"' && c !== '\\' && c >= ' ').join('');
        const deleted = name === DELETED_ENDPOINT;
        let out = expr;
        if (json) {
          out = sql`replace(${out}, ${`"endpointId":"${id}"`}, ${`"endpoint":${deleted ? 'null' : JSON.stringify(name)}`})`;
          out = sql`replace(${out}, ${`\\"endpointId\\":\\"${id}\\"`}, ${`\\"endpoint\\":${deleted ? 'null' : `\\"${plain}\\"`}`})`;
        }
        return sql`replace(${out}, ${id}, ${json ? plain : name})`;
      },
      sql.ref(column) as ReturnType<typeof sql>,
    );
  const sets = sql.join(columns.map((c) => sql`${sql.ref(c)} = ${rewritten(c, jsonColumns.includes(c))}`));
  // Ids are generated (hex digits and dashes), so they hold no LIKE wildcard.
  const matches = sql.join(
    columns.flatMap((c) => endpoints.map(({ id }) => sql`${sql.ref(c)} LIKE ${`%${id}%`}`)),
    sql` OR `,
  );
  await sql`UPDATE ${sql.table(table)} SET ${sets} WHERE ${matches}`.execute(db);
}
