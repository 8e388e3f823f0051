import type { Db, SqlRunner } from './database.js';

/**
 * Deliveries from other systems, kept as they arrived until they are turned into events. The
 * receiver answers as soon as the row is committed (Octopus gives up after 10 s and drops the
 * rest of its batch on any error); the slow part — calls back to the sender, matching — happens
 * afterwards, and a crash in between loses nothing: unprocessed rows are picked up again.
 */
export interface InboxItem {
  seq: number;
  source: string;
  deliveryKey: string;
  payload: unknown;
  receivedAt: string;
  attempts: number;
}

type Row = { seq: number | string; source: string; delivery_key: string; payload: string; received_at: string; attempts: number | string };

const toItem = (r: Row): InboxItem => ({
  seq: Number(r.seq),
  source: r.source,
  deliveryKey: r.delivery_key,
  payload: JSON.parse(r.payload) as unknown,
  receivedAt: r.received_at,
  attempts: Number(r.attempts),
});

export function inboxRepo(db: Db) {
  return {
    /** Stores a delivery in the caller's transaction; `undefined` when (source, key) was seen before. */
    async addIn(
      run: SqlRunner,
      source: string,
      deliveryKey: string,
      payload: unknown,
      now = new Date().toISOString(),
    ): Promise<number | undefined> {
      const [row] = await run.query<{ seq: number | string }>(
        'INSERT INTO inbox (source, delivery_key, payload, received_at, attempts) VALUES (?, ?, ?, ?, 0) ON CONFLICT (source, delivery_key) DO NOTHING RETURNING seq',
        [source, deliveryKey, JSON.stringify(payload), now],
      );
      return row ? Number(row.seq) : undefined;
    },

    /** Unprocessed deliveries of sources starting with `prefix`, oldest first. */
    async pending(prefix: string, limit: number, receivedBefore?: string): Promise<InboxItem[]> {
      return db.transaction(async (run) => {
        const params: unknown[] = [`${prefix}%`];
        let sql =
          'SELECT seq, source, delivery_key, payload, received_at, attempts FROM inbox WHERE processed_at IS NULL AND source LIKE ?';
        if (receivedBefore) {
          sql += ' AND received_at < ?';
          params.push(receivedBefore);
        }
        sql += ' ORDER BY seq LIMIT ?';
        params.push(limit);
        return (await run.query<Row>(sql, params)).map(toItem);
      });
    },

    /** Every row of sources starting with `prefix` after `afterSeq`, processed or not, in seq order: for a pass over all of them. */
    async page(prefix: string, afterSeq: number, limit: number): Promise<InboxItem[]> {
      return (
        await db.transaction((run) =>
          run.query<Row>(
            'SELECT seq, source, delivery_key, payload, received_at, attempts FROM inbox WHERE source LIKE ? AND seq > ? ORDER BY seq LIMIT ?',
            [`${prefix}%`, afterSeq, limit],
          ),
        )
      ).map(toItem);
    },

    /** Rewrites a stored payload (to take out what must not be kept). */
    async replacePayload(seq: number, payload: unknown): Promise<void> {
      await db.transaction((run) => run.query('UPDATE inbox SET payload = ? WHERE seq = ?', [JSON.stringify(payload), seq]));
    },

    async get(seq: number): Promise<InboxItem | undefined> {
      const [row] = await db.transaction((run) =>
        run.query<Row>(
          'SELECT seq, source, delivery_key, payload, received_at, attempts FROM inbox WHERE seq = ? AND processed_at IS NULL',
          [seq],
        ),
      );
      return row ? toItem(row) : undefined;
    },

    /** Marks it done in the caller's transaction (the one that stored its events). */
    async doneIn(run: SqlRunner, seq: number, now = new Date().toISOString()): Promise<void> {
      await run.query('UPDATE inbox SET processed_at = ?, error = NULL WHERE seq = ?', [now, seq]);
    },

    /** Records a failed attempt; the row stays pending. */
    async failed(seq: number, error: string): Promise<void> {
      await db.transaction((run) =>
        run.query('UPDATE inbox SET attempts = attempts + 1, error = ? WHERE seq = ?', [error.slice(0, 2000), seq]),
      );
    },

    /**
     * Drops processed rows received before `before` (their events are kept, and a late
     * redelivery is still recognised by the event's own key). In chunks by position, oldest
     * first, each its own short transaction, so a large backlog never holds the writer long.
     * Returns how many rows went.
     */
    async prune(before: string, chunk = 1000): Promise<number> {
      let removed = 0;
      for (;;) {
        const gone = (
          await db.transaction((run) =>
            run.query(
              `DELETE FROM inbox WHERE seq IN (
             SELECT seq FROM inbox WHERE processed_at IS NOT NULL AND received_at < ? ORDER BY seq LIMIT ?)
           RETURNING seq`,
              [before, chunk],
            ),
          )
        ).length;
        removed += gone;
        if (gone < chunk) return removed;
        await new Promise((resolve) => setImmediate(resolve));
      }
    },
  };
}

export type InboxRepo = ReturnType<typeof inboxRepo>;
