import { createHash } from 'node:crypto';
import { deploySubject } from '../core/deploy-failure.js';
import { ShiplineError } from '../core/errors.js';
import { uuidv7 } from '../core/ids.js';
import { globMatches } from '../core/reactions/matching.js';
import type { ShiplineEvent } from '../core/vocabulary.js';
import type { Db, SqlRunner } from './database.js';
import { eventData, recordedDeployId } from './deploy-events.js';
import type { Page } from './pagination.js';
import { decodeCursor, DEFAULT_LIMIT, toPage } from './pagination.js';
import { placeholders, rowsOf } from './sql.js';

export type { NewEvent } from '../core/new-event.js';
import type { NewEvent } from '../core/new-event.js';

export interface StoredEvent extends ShiplineEvent {
  seq: number;
  correlate: string[];
}

/**
 * What else happens in the transaction that stores events: the engine queues the runs of
 * matching reactions and resumes waiting steps. Set once by the engine. `generation`: the
 * reactions' generation (engine_state) a statement of this transaction already read, when one
 * did (PostgreSQL's ingest statement): the hook need not read it again.
 */
export type EventsHook = (run: SqlRunner, events: StoredEvent[], generation?: number) => Promise<void>;

// ON CONFLICT on the unique source key makes "is it new?" and "store it" one step: of two
// transactions storing the same key at once, the second waits for the first and inserts nothing
// (a separate SELECT first would let both pass it, and the second would fail on the index). The
// key is unique through a partial index that only events with a key enter; the conflict target
// names it by its WHERE.
const EVENT_INSERT = `INSERT INTO events (id, type, source, source_key, occurred_at, data, created_at, subject) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (source_key) WHERE source_key IS NOT NULL DO NOTHING RETURNING id`;

/** Events without a source key, many rows to a statement (`EVENT_INSERT`'s columns, VALUES appended). */
const EVENT_INSERT_PLAIN = 'INSERT INTO events (id, type, source, source_key, occurred_at, data, created_at, subject) VALUES';
// 8 parameters a row: well within both dialects' limits on parameters per statement.
const ROWS_PER_INSERT = 500;

/** Source keys longer than this, or with other than printable ASCII, are stored as their SHA-256. */
const MAX_PLAIN_KEY = 200;
const PLAIN_KEY = /^[\x21-\x7e]+$/;

/**
 * The source key as stored. Keys come from senders (a delivery id header, an id in a signed
 * body): one of kilobytes would overflow a PostgreSQL index entry and a NUL is refused by its text
 * type, so such keys are stored as a digest, which is unique all the same.
 */
export function storedSourceKey(key: string): string {
  if (key.length <= MAX_PLAIN_KEY && PLAIN_KEY.test(key)) return key;
  return `sha256:${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}

/** Whether a delivery was stored now or had been stored before (a replay or a redelivery). */
export interface Received {
  /** The event stored now, or the one stored by the first delivery with the same source key. */
  id: string;
  duplicate: boolean;
}

/** An event as the API lists it: the envelope plus when Shipline stored it and its position. */
export interface ListedEvent extends ShiplineEvent {
  seq: number;
  receivedAt: string;
}

export interface EventQuery {
  /** Exact type or glob (`octopus.deployment.*`). */
  type?: string | undefined;
  /** Stored at or after this ISO time. */
  since?: string | undefined;
  limit?: number | undefined;
  cursor?: string | undefined;
}

type EventRow = { seq: number | string; id: string; type: string; source: string; occurred_at: string; data: string; created_at: string };

const COLUMNS = 'seq, id, type, source, occurred_at, data, created_at';

function toListed(row: EventRow, data: unknown): ListedEvent {
  return {
    id: row.id,
    type: row.type,
    source: row.source,
    timestamp: row.occurred_at,
    data,
    seq: Number(row.seq),
    receivedAt: row.created_at,
  };
}

/** Rows read in `run`, as listed: each with its data as stored (a compact deploy.recorded rebuilt). */
async function listedIn(run: SqlRunner, rows: EventRow[]): Promise<ListedEvent[]> {
  const data = await eventData(
    run,
    rows.map((r) => r.data),
  );
  return rows.map((r, i) => toListed(r, data[i]));
}

/** `*` and `?` of a type glob as LIKE wildcards (LIKE is case-sensitive on both dialects here). */
function globToLike(glob: string): string {
  return glob
    .replace(/[\\%_]/g, (c) => `\\${c}`)
    .replace(/\*/g, '%')
    .replace(/\?/g, '_');
}

export function eventsRepo(db: Db) {
  const read = <R>(sql: string, params: unknown[]) => db.transaction((run) => run.query<R>(sql, params));
  const readEvents = (sql: string, params: unknown[]) =>
    db.transaction(async (run) => listedIn(run, await run.query<EventRow>(sql, params)));
  let hook: EventsHook | undefined;

  /** Inserts events in the caller's transaction and runs the hook on them. */
  async function appendIn(run: SqlRunner, events: NewEvent[], now = new Date().toISOString()): Promise<StoredEvent[]> {
    const stored: StoredEvent[] = [];
    const rowOf = (e: NewEvent) => {
      const event = {
        id: uuidv7(),
        type: e.type,
        source: e.source,
        timestamp: e.timestamp ?? now,
        data: e.data,
        seq: 0,
        correlate: e.correlate ?? [],
      };
      const sourceKey = e.sourceKey ? storedSourceKey(e.sourceKey) : null;
      return {
        event,
        params: [event.id, event.type, event.source, sourceKey, event.timestamp, JSON.stringify(event.data), now, e.subject ?? null],
      };
    };
    if (events.length > 1 && events.every((e) => !e.sourceKey)) {
      // Without source keys nothing can conflict: one statement for them all (the runs that end
      // in one outcome commit store their run.* events so), each one a round trip on PostgreSQL.
      for (let start = 0; start < events.length; start += ROWS_PER_INSERT) {
        const rows = events.slice(start, start + ROWS_PER_INSERT).map(rowOf);
        await run.query(
          `${EVENT_INSERT_PLAIN} ${rowsOf(rows.length, 8)}`,
          rows.flatMap((r) => r.params),
        );
        stored.push(...rows.map((r) => r.event));
      }
    } else {
      for (const e of events) {
        const { event, params } = rowOf(e);
        const inserted = await run.query<{ id: string }>(EVENT_INSERT, params);
        if (inserted.length > 0) stored.push(event);
      }
    }
    if (hook && stored.length > 0) await hook(run, stored);
    return stored;
  }

  return {
    appendIn,

    /**
     * Stores one event (and queues whatever it starts) in one transaction. Returns the event, or
     * `undefined` when an event with the same `sourceKey` was stored before.
     */
    async append(event: NewEvent): Promise<StoredEvent | undefined> {
      const [stored] = await db.transaction((run) => appendIn(run, [event]));
      return stored;
    },

    /**
     * Stores a delivery's event unless one with the same `sourceKey` exists, in one transaction
     * (with the runs it starts); otherwise stores nothing and names the earlier event.
     */
    async receive(event: NewEvent & { sourceKey: string }): Promise<Received> {
      return db.transaction(async (run) => {
        const [stored] = await appendIn(run, [event]);
        if (stored) return { id: stored.id, duplicate: false };
        const [earlier] = await run.query<{ id: string }>('SELECT id FROM events WHERE source_key = ?', [storedSourceKey(event.sourceKey)]);
        return { id: earlier!.id, duplicate: true };
      });
    },

    async get(id: string): Promise<ListedEvent> {
      const [event] = await readEvents(`SELECT ${COLUMNS} FROM events WHERE id = ?`, [id]);
      if (!event) throw new ShiplineError('event.not_found');
      return event;
    },

    async getBySourceKey(key: string): Promise<ListedEvent> {
      const [event] = await readEvents(`SELECT ${COLUMNS} FROM events WHERE source_key = ?`, [storedSourceKey(key)]);
      if (!event) throw new ShiplineError('event.not_found');
      return event;
    },

    /**
     * The ids of the events about a deploy: its `deploy.recorded` event, which the deploy's row
     * names (migrations 0015 and 0018; '' when none is stored), else (a row written by other
     * means than the ingest) found by type and time (the event's timestamp is the deploy's
     * deployed_at, its stored time the deploy's received_at; the data names the deploy), and the
     * events whose subject is the deploy's dedup id (`deploy.updated`, `octopus.deployment.*`) or
     * `deploy:<id>` (`deploy.failed`, `deploy.marked_failed`), in the order they were stored.
     */
    async aboutDeploy(deploy: { id: string; deployedAt: string; receivedAt: string; dedupId: string | null }): Promise<string[]> {
      return db.transaction(async (run) => {
        const [link] = await run.query<{ recorded_event_id: string | null }>('SELECT recorded_event_id FROM deploys WHERE id = ?', [
          deploy.id,
        ]);
        const named = link?.recorded_event_id ?? null;
        const recorded =
          named === null
            ? await run.query<{ id: string; data: string }>(
                "SELECT id, data FROM events WHERE type = 'deploy.recorded' AND occurred_at = ? AND created_at = ?",
                [deploy.deployedAt, deploy.receivedAt],
              )
            : await run.query<{ id: string; data: string }>("SELECT id, data FROM events WHERE id = ? AND type = 'deploy.recorded'", [
                named,
              ]);
        const ids = recorded.filter((e) => recordedDeployId(e.data) === deploy.id).map((e) => e.id);
        // One equality probe of the partial subject index per subject.
        const later: Array<{ id: string; seq: number | string }> = [];
        for (const subject of [deploy.dedupId, deploySubject(deploy.id)]) {
          if (subject !== null)
            later.push(
              ...(await run.query<{ id: string; seq: number | string }>('SELECT id, seq FROM events WHERE subject = ?', [subject])),
            );
        }
        later.sort((a, b) => Number(a.seq) - Number(b.seq));
        return [...ids, ...later.map((e) => e.id)];
      });
    },

    /** Newest first, paginated by position. */
    async list(q: EventQuery): Promise<Page<ListedEvent>> {
      const limit = q.limit ?? DEFAULT_LIMIT;
      const where: string[] = [];
      const params: unknown[] = [];
      if (q.cursor !== undefined) {
        const seq = Number(decodeCursor(q.cursor, 1)[0]);
        if (!Number.isSafeInteger(seq)) throw new ShiplineError('request.invalid_cursor');
        where.push('seq < ?');
        params.push(seq);
      }
      if (q.type) {
        where.push(/[*?]/.test(q.type) ? "type LIKE ? ESCAPE '\\'" : 'type = ?');
        params.push(/[*?]/.test(q.type) ? globToLike(q.type) : q.type);
        // Repeats the partial index's condition (events_by_type leaves deploy.recorded out), so one type's events are read through it.
        if (!/[*?]/.test(q.type) && q.type !== 'deploy.recorded') where.push("type <> 'deploy.recorded'");
      }
      if (q.since) {
        where.push('created_at >= ?');
        params.push(q.since);
      }
      const events = await readEvents(
        `SELECT ${COLUMNS} FROM events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`,
        [...params, limit + 1],
      );
      return toPage(
        events,
        limit,
        (e) => e,
        (e) => [String(e.seq)],
      );
    },

    /** Events stored after position `seq`, oldest first (the live stream reads these). */
    async after(seq: number, limit = 500, type?: string): Promise<ListedEvent[]> {
      const events = await readEvents(`SELECT ${COLUMNS} FROM events WHERE seq > ? ORDER BY seq LIMIT ?`, [seq, limit]);
      return type ? events.filter((e) => globMatches(type, e.type)) : events;
    },

    /**
     * The events stored by now at these positions. Positions are taken when a transaction
     * inserts, not when it commits, so with several writers (batches in flight, processes) a
     * lower position can appear after a higher one was read: the live stream asks for those.
     */
    async atSeqs(seqs: readonly number[]): Promise<ListedEvent[]> {
      if (seqs.length === 0) return [];
      return readEvents(`SELECT ${COLUMNS} FROM events WHERE seq IN (${placeholders(seqs.length)}) ORDER BY seq`, [...seqs]);
    },

    /** The position of the newest event (0 when none). */
    async lastSeq(): Promise<number> {
      const [row] = await read<{ seq: number | string | null }>('SELECT MAX(seq) AS seq FROM events', []);
      return Number(row?.seq ?? 0);
    },

    setHook(next: EventsHook): void {
      hook = next;
    },

    get hook(): EventsHook | undefined {
      return hook;
    },
  };
}

export type EventsRepo = ReturnType<typeof eventsRepo>;
