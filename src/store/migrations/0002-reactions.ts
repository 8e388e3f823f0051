import { sql } from 'kysely';
import type { Kysely } from 'kysely';

/** Reactions, their runs and the durable work queue; secrets, webhook endpoints, run tokens. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('reactions')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  // Every applied version stays: a run records the version it used.
  await db.schema
    .createTable('reaction_versions')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('reaction_versions_pk', ['name', 'version'])
    .execute();

  // One counter bumped by every reaction change, so each process knows when its matcher is stale.
  await db.schema
    .createTable('engine_state')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('reaction', 'text', (c) => c.notNull())
    .addColumn('reaction_version', 'integer', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('concurrency_key', 'text')
    .addColumn('error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    .execute();
  await db.schema.createIndex('runs_by_reaction').on('runs').columns(['reaction', 'id']).execute();
  await db.schema.createIndex('runs_by_status').on('runs').columns(['status', 'id']).execute();
  await db.schema.createIndex('runs_by_concurrency').on('runs').columns(['concurrency_key', 'status']).execute();

  await db.schema
    .createTable('step_executions')
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('step_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('channel', 'text')
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('input', 'text')
    .addColumn('output', 'text')
    .addColumn('error', 'text')
    .addColumn('logs', 'text', (c) => c.notNull())
    .addColumn('attempts', 'text', (c) => c.notNull())
    .addColumn('wait_state', 'text')
    .addColumn('wait_deadline', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    .addPrimaryKeyConstraint('step_executions_pk', ['run_id', 'step_id'])
    .execute();

  // The work queue. A job is claimed by setting a lease (locked_by, locked_until); a crashed
  // worker's lease runs out and the job is claimed again. job_key makes enqueueing idempotent.
  await db.schema
    .createTable('jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('step_id', 'text', (c) => c.notNull())
    .addColumn('run_at', 'text', (c) => c.notNull())
    .addColumn('payload', 'text')
    .addColumn('job_key', 'text', (c) => c.notNull().unique())
    .addColumn('locked_by', 'text')
    .addColumn('locked_until', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('jobs_due').on('jobs').columns(['run_at', 'id']).execute();
  await db.schema.createIndex('jobs_by_step').on('jobs').columns(['run_id', 'step_id']).execute();

  // Correlation keys of waiting steps: an arriving event or signal with the key resumes them.
  await db.schema
    .createTable('wait_keys')
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('step_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('wait_keys_pk', ['key', 'run_id', 'step_id'])
    .execute();
  await db.schema.createIndex('wait_keys_by_step').on('wait_keys').columns(['run_id', 'step_id']).execute();

  // Active runs per concurrency key; the row doubles as the lock that serializes admission.
  await db.schema
    .createTable('concurrency_slots')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('active', 'integer', (c) => c.notNull())
    .execute();

  // Secret values, AES-256-GCM encrypted (iv, tag and ciphertext in one base64 string).
  await db.schema
    .createTable('secrets')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  // External webhook endpoints at /hooks/<name>; their key or signing secret encrypted like secrets.
  await db.schema
    .createTable('webhooks')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('auth_type', 'text', (c) => c.notNull())
    .addColumn('auth_header', 'text')
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  // Run tokens: short-lived, tied to one run, revoked when it ends.
  await db.schema.alterTable('api_tokens').addColumn('expires_at', 'text').execute();
  await db.schema.alterTable('api_tokens').addColumn('run_id', 'text').execute();
  // A run's end revokes its tokens; most tokens belong to no run.
  await db.schema.createIndex('api_tokens_by_run').on('api_tokens').column('run_id').where(sql.ref('run_id'), 'is not', null).execute();
}
