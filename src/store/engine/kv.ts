import type { Db } from '../database.js';

/** Values kept per scope (a reaction) and key; expired values read as absent. */
export function kvRepo(db: Db) {
  return {
    async get(scope: string, key: string): Promise<unknown> {
      const [row] = await db.transaction((run) =>
        run.query<{ value: string; expires_at: string | null }>('SELECT value, expires_at FROM kv WHERE scope = ? AND key = ?', [
          scope,
          key,
        ]),
      );
      if (!row || (row.expires_at !== null && row.expires_at <= new Date().toISOString())) return undefined;
      return JSON.parse(row.value) as unknown;
    },

    async set(scope: string, key: string, value: unknown, ttlMs?: number): Promise<void> {
      const now = new Date();
      const expires = ttlMs === undefined ? null : new Date(now.getTime() + ttlMs).toISOString();
      await db.transaction((run) =>
        run.query(
          `INSERT INTO kv (scope, key, value, expires_at, updated_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (scope, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at, updated_at = excluded.updated_at`,
          [scope, key, JSON.stringify(value ?? null), expires, now.toISOString()],
        ),
      );
    },

    /** Deletes the values that expired before `now` (they already read as absent); returns how many. */
    async pruneExpired(now: string): Promise<number> {
      const gone = await db.transaction((run) =>
        run.query<{ key: string }>('DELETE FROM kv WHERE expires_at IS NOT NULL AND expires_at <= ? RETURNING key', [now]),
      );
      return gone.length;
    },
  };
}
