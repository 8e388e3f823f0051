import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * Connections to other systems (Octopus Deploy first), the inbox their deliveries land in before
 * they are turned into events, named leases (one reconciler at a time across instances), and a
 * deploy's status and source (an Octopus deployment is queued, then started, then finished).
 */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  await db.schema
    .createTable('connections')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('config', 'text', (c) => c.notNull())
    // AES-256-GCM under the master key: a JSON object of secret fields.
    .addColumn('secrets', 'text', (c) => c.notNull())
    // What Shipline last learned: status, resolved space, version, subscription state.
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('endpoint_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('inbox')
    .addColumn('seq', ctx.autoIncrementType, (c) => ctx.autoIncrementColumn(c.primaryKey()))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('delivery_key', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('processed_at', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error', 'text')
    .addUniqueConstraint('inbox_delivery', ['source', 'delivery_key'])
    .execute();
  await db.schema.createIndex('inbox_pending').on('inbox').column('seq').where(sql.ref('processed_at'), 'is', null).execute();

  await db.schema
    .createTable('leases')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .alterTable('deploys')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('succeeded'))
    .execute();
  await db.schema
    .alterTable('deploys')
    .addColumn('source', 'text', (c) => c.notNull().defaultTo('custom'))
    .execute();
}
