import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Kysely } from 'kysely';
import type { DbOptions } from '../../src/store/database.js';
import { POSTGRES_MIGRATIONS, shiplineMigrator, SQLITE_MIGRATIONS } from '../../src/store/migrations/index.js';

/** Set to a PostgreSQL URL to run every dialect-parameterised suite on PostgreSQL too. */
export const POSTGRES_URL = process.env.SHIPLINE_TEST_DATABASE_URL || undefined;

export interface TestDatabase {
  options: DbOptions;
  /** Removes the database (PostgreSQL) or its directory (SQLite). */
  drop(): Promise<void>;
}

export type DialectName = 'sqlite' | 'postgres';

/** The dialects every store-touching suite runs over: SQLite always, PostgreSQL when configured. */
export const DIALECTS: DialectName[] = POSTGRES_URL ? ['sqlite', 'postgres'] : ['sqlite'];

/** Migrates a store's database up to the migration `name`, as a database of an earlier release stands. */
export async function migrateTo<DB>(db: Kysely<DB>, dialect: DialectName, name: string): Promise<void> {
  const { error } = await shiplineMigrator(db, dialect === 'sqlite' ? SQLITE_MIGRATIONS : POSTGRES_MIGRATIONS).migrateTo(name);
  if (error) throw error;
}

/** A fresh, empty database of the dialect: a temp directory, or a new PostgreSQL database. */
export async function freshDatabase(dialect: DialectName): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipline-test-'));
    return { options: { dataDir }, drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }) };
  }
  const base = new URL(POSTGRES_URL!);
  const name = `shipline_test_${randomBytes(6).toString('hex')}`;
  await withAdmin(base, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    options: { dataDir: os.tmpdir(), databaseUrl: url.toString() },
    drop: () => withAdmin(base, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

async function withAdmin<T>(url: URL, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
