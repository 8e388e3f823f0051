import type { ReactionSpec } from '../core/reactions/document.js';
import type { Schedule } from '../core/schedule.js';
import { SCHEDULE_EVENT, scheduleSource, tickSourceKey } from '../core/schedule.js';
import type { Db } from './database.js';
import type { eventsRepo } from './events.js';
import { specOf } from './engine/reactions.js';

/** An enabled scheduled reaction, as the scheduler needs it. */
export interface ScheduledReaction {
  name: string;
  version: number;
  schedule: Schedule;
  /** When its current version was applied (or enabled). */
  appliedAt: string;
}

/** What the scheduler knows of a reaction's ticks. */
export interface TickState {
  /** Ticks at or before this are not this version's to fire. */
  since: string;
  /** The newest tick fired, or null. */
  lastTick: string | null;
}

/** A tick fired, as the API shows it. */
export interface TickView {
  scheduledAt: string;
  firedAt: string;
  eventId: string;
  /** The run it started; null when none did (a disabled version, a filter or `if` that refused it). */
  runId: string | null;
}

/** Ticks kept per reaction: enough for the API's last ticks and to know where catch-up starts. */
const KEEP_TICKS = 100;

export function schedulesRepo(db: Db, events: ReturnType<typeof eventsRepo>) {
  return {
    /** The enabled reactions started by a schedule. */
    async enabled(): Promise<ScheduledReaction[]> {
      const rows = await db.transaction((run) =>
        run.query<{ name: string; version: number | string; document: string; updated_at: string }>(
          'SELECT name, version, document, updated_at FROM reactions WHERE enabled = 1 AND trigger = ?',
          [SCHEDULE_EVENT],
        ),
      );
      const found: ScheduledReaction[] = [];
      for (const row of rows) {
        const spec: ReactionSpec = specOf(JSON.parse(row.document));
        if (spec.on.schedule)
          found.push({ name: row.name, version: Number(row.version), schedule: spec.on.schedule, appliedAt: row.updated_at });
      }
      return found;
    },

    /**
     * Where a version's ticks start: the first `since` any instance recorded for it (this call's
     * when none has), and the newest tick fired for the reaction.
     */
    async state(reaction: string, version: number, since: string): Promise<TickState> {
      return db.transaction(async (run) => {
        await run.query('INSERT INTO schedule_versions (reaction, version, since) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', [
          reaction,
          version,
          since,
        ]);
        const [recorded] = await run.query<{ since: string }>('SELECT since FROM schedule_versions WHERE reaction = ? AND version = ?', [
          reaction,
          version,
        ]);
        // Earlier versions no longer decide anything.
        await run.query('DELETE FROM schedule_versions WHERE reaction = ? AND version < ?', [reaction, version]);
        const [last] = await run.query<{ at: string | null }>('SELECT MAX(scheduled_at) AS at FROM schedule_ticks WHERE reaction = ?', [
          reaction,
        ]);
        return { since: recorded!.since, lastTick: last?.at ?? null };
      });
    },

    /**
     * Stores each tick as a `schedule.fired` event (with the run it starts) unless an instance
     * stored it before; in one transaction. Returns the scheduled times stored now.
     */
    async fire(reaction: string, ticks: ReadonlyArray<{ scheduledAt: string; firedAt: string }>): Promise<string[]> {
      if (ticks.length === 0) return [];
      return db.transaction(async (run) => {
        const fired: string[] = [];
        for (const { scheduledAt, firedAt } of ticks) {
          const [event] = await events.appendIn(run, [
            {
              type: SCHEDULE_EVENT,
              source: scheduleSource(reaction),
              sourceKey: tickSourceKey(reaction, scheduledAt),
              timestamp: firedAt,
              data: { reaction, scheduledAt, firedAt },
            },
          ]);
          if (!event) continue;
          await run.query(
            'INSERT INTO schedule_ticks (reaction, scheduled_at, fired_at, event_id) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
            [reaction, scheduledAt, firedAt, event.id],
          );
          fired.push(scheduledAt);
        }
        if (fired.length > 0) {
          await run.query(
            `DELETE FROM schedule_ticks WHERE reaction = ? AND scheduled_at <
              (SELECT scheduled_at FROM schedule_ticks WHERE reaction = ? ORDER BY scheduled_at DESC LIMIT 1 OFFSET ${KEEP_TICKS - 1})`,
            [reaction, reaction],
          );
        }
        return fired;
      });
    },

    /** The reaction's last ticks, newest first, with the run each started. */
    async lastTicks(reaction: string, limit = 10): Promise<TickView[]> {
      const rows = await db.transaction((run) =>
        run.query<{ scheduled_at: string; fired_at: string; event_id: string; run_id: string | null }>(
          `SELECT t.scheduled_at, t.fired_at, t.event_id,
             (SELECT MIN(r.id) FROM runs r WHERE r.event_id = t.event_id AND r.reaction = t.reaction) AS run_id
           FROM schedule_ticks t WHERE t.reaction = ? ORDER BY t.scheduled_at DESC LIMIT ?`,
          [reaction, Math.min(limit, KEEP_TICKS)],
        ),
      );
      return rows.map((r) => ({ scheduledAt: r.scheduled_at, firedAt: r.fired_at, eventId: r.event_id, runId: r.run_id }));
    },
  };
}

export type SchedulesRepo = ReturnType<typeof schedulesRepo>;
