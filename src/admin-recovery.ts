import type { Config } from './config.js';
import { openExistingDb } from './store/database.js';
import type { ApiToken } from './store/tokens.js';
import { tokensRepo } from './store/tokens.js';

/**
 * `shipline admin reset-token`: a new admin token from the store itself, for when the one printed
 * at the first start was lost (or never seen). It needs the store (the data directory or
 * DATABASE_URL), not the API, and works while a server runs: SQLite in WAL mode lets a second
 * process write, waiting for the server's transaction if one is open; PostgreSQL is shared anyway.
 * The master key is not needed: tokens are stored as hashes, not encrypted.
 */
export async function resetAdminToken(
  config: Pick<Config, 'dataDir' | 'databaseUrl'>,
): Promise<{ created: ApiToken & { token: string }; revoked: ApiToken[] }> {
  const db = openExistingDb({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  try {
    const tables = await db.kysely.introspection.getTables();
    // A database Shipline never started on (a wrong DATABASE_URL) is not made into a store here.
    if (!tables.some((t) => t.name === 'api_tokens'))
      throw new Error(`No Shipline store in ${db.describe}: start Shipline on it once, or point DATABASE_URL at the one the server uses`);
    // The same migrations a start applies (none, when the server runs this version).
    await db.migrate();
    return await tokensRepo(db).resetAdmin();
  } finally {
    await db.close();
  }
}
