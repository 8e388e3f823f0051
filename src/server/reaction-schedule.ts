import type { Schedule } from '../core/schedule.js';
import { describeSchedule, nextTicks, SCHEDULE_EVENT, scheduleSource } from '../core/schedule.js';
import type { ShiplineEvent } from '../core/vocabulary.js';
import type { Store } from '../store/index.js';
import type { StoredReaction } from '../store/engine/reactions.js';
import { specOf } from '../store/engine/reactions.js';

/** How many upcoming ticks the API shows. */
const NEXT_TICKS = 5;
/** How many fired ticks the API shows. */
const LAST_TICKS = 10;

/** A stored reaction's schedule, or null when events start it. */
export function scheduleOf(reaction: Pick<StoredReaction, 'document'>): Schedule | null {
  return specOf(reaction.document).on.schedule ?? null;
}

/** The next tick of an enabled scheduled reaction, ISO UTC; null otherwise. */
export function nextFireAt(reaction: Pick<StoredReaction, 'document' | 'enabled'>, now: Date): string | null {
  const schedule = scheduleOf(reaction);
  if (!schedule || !reaction.enabled) return null;
  return nextTicks(schedule, now, 1)[0]?.toISOString() ?? null;
}

/** What GET /reactions/:name shows of a schedule: in words, the next ticks, the last ones fired. */
export async function scheduleView(store: Store, reaction: StoredReaction, now: Date) {
  const schedule = scheduleOf(reaction);
  if (!schedule) return null;
  const next = reaction.enabled ? nextTicks(schedule, now, NEXT_TICKS).map((at) => at.toISOString()) : [];
  return {
    ...schedule,
    description: describeSchedule(schedule),
    nextFireAt: next[0] ?? null,
    next,
    lastTicks: await store.schedules.lastTicks(reaction.name, LAST_TICKS),
  };
}

/** For a document being validated: its schedule in words and its next ticks. */
export function schedulePreview(schedule: Schedule, now: Date) {
  return { description: describeSchedule(schedule), next: nextTicks(schedule, now, NEXT_TICKS).map((at) => at.toISOString()) };
}

/** The event the next tick would store, for a dry run (as the scheduler stores it, fired on time). */
export function nextTickEvent(name: string, schedule: Schedule, now: Date): ShiplineEvent {
  const scheduledAt = (nextTicks(schedule, now, 1)[0] ?? now).toISOString();
  return {
    id: 'dry-run',
    type: SCHEDULE_EVENT,
    source: scheduleSource(name),
    timestamp: scheduledAt,
    data: { reaction: name, scheduledAt, firedAt: scheduledAt },
  };
}
