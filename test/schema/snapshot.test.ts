// The committed schema snapshots (test/schema/{sqlite,postgres}.sql) against a freshly migrated
// database of each dialect; row-types.test.ts holds both against src/store/schema.ts, so the
// migrations, the two stores and the query builder's types cannot drift apart unseen.
// After a new migration: npm run schema:dump (with SHIPLINE_TEST_DATABASE_URL set for PostgreSQL).
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { migratedSchema } from '../../scripts/dump-schema.js';
import { DIALECTS } from '../support/databases.js';

const snapshot = (dialect: string) => fs.readFileSync(new URL(`./${dialect}.sql`, import.meta.url), 'utf8');

describe.each(DIALECTS)('schema snapshot (%s)', (dialect) => {
  it('matches a freshly migrated database (npm run schema:dump rewrites it)', async () => {
    expect(await migratedSchema(dialect)).toBe(snapshot(dialect));
  });
});
