import type { Kysely } from 'kysely';

/**
 * Local user accounts and their browser sessions. Emails are stored normalised (trimmed,
 * lower case) so the primary key is what makes them unique. Sessions are keyed by a SHA-256 of
 * their random id, as API tokens are: a copy of the table does not let anyone sign in.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('email', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    // A PHC string: $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>.
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('disabled_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('user_sessions')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull().references('users.email').onDelete('cascade'))
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  // Signing a user out everywhere (disable, password reset) deletes by email.
  await db.schema.createIndex('user_sessions_by_email').on('user_sessions').column('email').execute();
}
