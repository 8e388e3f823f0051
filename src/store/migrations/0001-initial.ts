import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  await db.schema
    .createTable('services')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('description', 'text')
    .addColumn('owner', 'text')
    .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('service_aliases')
    .addColumn('alias', 'text', (c) => c.primaryKey())
    .addColumn('service_id', 'text', (c) => c.notNull().references('services.id').onDelete('cascade'))
    .execute();
  await db.schema.createIndex('service_aliases_service').on('service_aliases').column('service_id').execute();

  await db.schema
    .createTable('deploy_endpoints')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('deploys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('endpoint_id', 'text', (c) => c.notNull())
    // No foreign key: deleting a service or an endpoint keeps the deploy history.
    .addColumn('service_id', 'text')
    .addColumn('service_alias', 'text', (c) => c.notNull())
    .addColumn('environment', 'text')
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('deployed_at', 'text', (c) => c.notNull())
    .addColumn('deploy_url', 'text')
    .addColumn('deploy_number', 'text', (c) => c.notNull())
    .addColumn('dedup_id', 'text', (c) => c.unique())
    .addColumn('deployer_id', 'text')
    .addColumn('deployer_email', 'text')
    .addColumn('deployer_name', 'text')
    .addColumn('commit_json', 'text')
    .addColumn('received_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('deploys_by_time').on('deploys').columns(['deployed_at', 'id']).execute();
  await db.schema.createIndex('deploys_by_service').on('deploys').columns(['service_id', 'deployed_at']).execute();
  // Only unclaimed deploys are looked up by alias (suggestions, attaching, the alias filter), so
  // deploys of known services, the usual case, skip this index altogether.
  await db.schema
    .createIndex('deploys_unclaimed_by_alias')
    .on('deploys')
    .columns(['service_alias', 'deployed_at'])
    .where(sql.ref('service_id'), 'is', null)
    .execute();

  await db.schema
    .createTable('deploy_sequences')
    .addColumn('scope', 'text', (c) => c.primaryKey())
    .addColumn('last_number', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('dismissed_suggestions')
    .addColumn('alias', 'text', (c) => c.primaryKey())
    .addColumn('dismissed_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute();

  await db.schema
    .createTable('events')
    // seq orders events for the consumers that read them in order.
    .addColumn('seq', ctx.autoIncrementType, (c) => ctx.autoIncrementColumn(c.primaryKey()))
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('source_key', 'text', (c) => c.unique())
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}
