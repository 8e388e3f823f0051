import type { Kysely } from 'kysely';

/**
 * A small key/value store per reaction, for actions that need to find something again in a
 * later run: the Slack message posted on "deployment started" that "succeeded" updates.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('kv')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('kv_pk', ['scope', 'key'])
    .execute();
}
