import type { Db } from '../database.js';

/**
 * Named, expiring leases: one holder at a time across every instance sharing the database (one
 * subscription reconciler, say). A holder renews by acquiring again before it expires.
 */
export function leasesRepo(db: Db) {
  return {
    /** True when `owner` now holds `name` for `ttlMs` (it was free, expired, or already ours). */
    async acquire(name: string, owner: string, ttlMs: number): Promise<boolean> {
      const now = new Date();
      const rows = await db.transaction((run) =>
        run.query<{ owner: string }>(
          `INSERT INTO leases (name, owner, expires_at) VALUES (?, ?, ?)
           ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
           WHERE leases.expires_at < ? OR leases.owner = excluded.owner
           RETURNING owner`,
          [name, owner, new Date(now.getTime() + ttlMs).toISOString(), now.toISOString()],
        ),
      );
      return rows.length === 1 && rows[0]!.owner === owner;
    },

    async release(name: string, owner: string): Promise<void> {
      await db.transaction((run) => run.query('DELETE FROM leases WHERE name = ? AND owner = ?', [name, owner]));
    },
  };
}
