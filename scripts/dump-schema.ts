// Rewrites test/schema/{sqlite,postgres}.sql from freshly migrated databases: npm run schema:dump
// (PostgreSQL too when SHIPLINE_TEST_DATABASE_URL is set). Commit the result with the migration.
import fs from 'node:fs';
import { openDb } from '../src/store/database.js';
import type { DialectName } from '../test/support/databases.js';
import { DIALECTS, freshDatabase } from '../test/support/databases.js';
import { dumpSchema } from '../test/support/schema-dump.js';

/** Migrates a fresh database of `dialect` and returns its schema dump. */
export async function migratedSchema(dialect: DialectName): Promise<string> {
  const database = await freshDatabase(dialect);
  const db = openDb(database.options);
  try {
    await db.migrate();
    return await dumpSchema(db);
  } finally {
    await db.close();
    await database.drop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const dialect of DIALECTS) {
    const file = new URL(`../test/schema/${dialect}.sql`, import.meta.url);
    fs.writeFileSync(file, await migratedSchema(dialect));
    console.log(`wrote test/schema/${dialect}.sql`);
  }
  if (!DIALECTS.includes('postgres')) console.log('test/schema/postgres.sql not rewritten: set SHIPLINE_TEST_DATABASE_URL');
}
