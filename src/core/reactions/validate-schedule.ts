import type { CatchUp, Schedule } from '../schedule.js';
import { CATCH_UP_MODES, cronProblem, DEFAULT_CATCH_UP, DEFAULT_TIMEZONE, timezoneProblem } from '../schedule.js';
import { isPlainObject } from './templates.js';
import type { Problems } from './validate-shared.js';
import { describe, unknownKeys } from './validate-shared.js';

const SCHEDULE_KEYS = ['cron', 'timezone', 'catchUp'] as const;

/** Reads `on.schedule`, listing its problems as `on.schedule.<key>: ...`; null when it has any. */
export function readSchedule(raw: unknown, problems: Problems): Schedule | null {
  if (!isPlainObject(raw)) {
    problems.push(`on.schedule: must be an object with "cron" (and optionally "timezone", "catchUp"), not ${describe(raw)}`);
    return null;
  }
  const before = problems.length;
  unknownKeys(raw, SCHEDULE_KEYS, 'on.schedule', '"on.schedule"', problems);

  let cron = '';
  if (raw.cron === undefined) problems.push('on.schedule.cron: required, e.g. "0 9 * * 1-5" (09:00 Monday to Friday)');
  else if (typeof raw.cron !== 'string') problems.push(`on.schedule.cron: must be a cron pattern (text), not ${describe(raw.cron)}`);
  else {
    cron = raw.cron.trim();
    const problem = cronProblem(cron);
    if (problem) problems.push(`on.schedule.cron: ${problem}`);
  }

  let timezone = DEFAULT_TIMEZONE;
  if (typeof raw.timezone === 'string') {
    const problem = timezoneProblem(raw.timezone);
    if (problem) problems.push(`on.schedule.timezone: ${problem}`);
    else timezone = raw.timezone;
  } else if (raw.timezone !== undefined && raw.timezone !== null)
    problems.push(`on.schedule.timezone: must be an IANA time zone name (text), not ${describe(raw.timezone)}`);

  let catchUp: CatchUp = DEFAULT_CATCH_UP;
  if ((CATCH_UP_MODES as readonly unknown[]).includes(raw.catchUp)) catchUp = raw.catchUp as CatchUp;
  else if (raw.catchUp !== undefined && raw.catchUp !== null)
    problems.push(`on.schedule.catchUp: must be one of ${CATCH_UP_MODES.join(', ')}, not ${describe(raw.catchUp)}`);

  return problems.length > before ? null : { cron, timezone, catchUp };
}
