import type { Kysely } from 'kysely';

/**
 * The hosts a secret may be sent to (a JSON array of host names and `*.domain` patterns); null
 * for a secret bound to no host, which any step may send anywhere outgoing requests reach.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('secrets').addColumn('hosts', 'text').execute();
}
