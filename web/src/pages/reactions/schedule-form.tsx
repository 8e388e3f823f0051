import { isObject, setIn } from './document';
import type { Doc } from './document';
import { viewerZone } from './schedule';

const CATCH_UP: Array<[string, string]> = [
  ['latest', 'latest: fire the most recent missed tick once'],
  ['none', 'none: skip the ticks missed while Shipline was down'],
  ['all', 'all: fire every missed tick (bounded)'],
];

/** Every IANA zone the browser knows, for the time zone's suggestions (none on browsers without the API). */
const ZONES: string[] = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];

/** `on` for a reaction started by time, or by an event again: switching keeps nothing of the other kind (they are exclusive). */
export function switchTrigger(doc: Doc, to: 'event' | 'schedule'): Doc {
  return setIn(
    doc,
    ['on'],
    to === 'schedule' ? { schedule: { cron: '0 9 * * 1-5', timezone: viewerZone() } } : { event: 'deploy.recorded' },
  );
}

/** Whether the reaction starts by an event or on a schedule. */
export function TriggerKind({ doc, onChange }: { doc: Doc; onChange(doc: Doc): void }) {
  const scheduled = isObject(doc.on) && isObject(doc.on.schedule);
  return (
    <div className="reactions-inline" role="radiogroup" aria-label="Starts on">
      <label className="inline">
        <input type="radio" name="trigger-kind" checked={!scheduled} onChange={() => onChange(switchTrigger(doc, 'event'))} />
        An event
      </label>
      <label className="inline">
        <input type="radio" name="trigger-kind" checked={scheduled} onChange={() => onChange(switchTrigger(doc, 'schedule'))} />A schedule
      </label>
    </div>
  );
}

/** `on.schedule`: the cron, its time zone and what happens to ticks missed while Shipline was down. */
export function ScheduleFields({ schedule, set }: { schedule: Record<string, unknown>; set(schedule: Record<string, unknown>): void }) {
  const text = (key: string) => (typeof schedule[key] === 'string' ? (schedule[key] as string) : '');
  const change = (key: string, value: string) => set(setIn(schedule, [key], value === '' ? undefined : value));
  return (
    <div className="reactions-row">
      <div className="reactions-field">
        <label htmlFor="trigger-cron">Cron</label>
        <input
          id="trigger-cron"
          value={text('cron')}
          placeholder="0 9 * * 1-5"
          spellCheck={false}
          autoComplete="off"
          aria-describedby="trigger-cron-hint"
          onChange={(e) => change('cron', e.target.value)}
        />
        <span id="trigger-cron-hint" className="hint">
          Minute, hour, day of month, month, day of week; a sixth field in front adds seconds.
        </span>
      </div>
      <div className="reactions-field">
        <label htmlFor="trigger-timezone">Time zone</label>
        <input
          id="trigger-timezone"
          list="trigger-timezones"
          value={text('timezone')}
          placeholder="UTC"
          spellCheck={false}
          autoComplete="off"
          aria-describedby="trigger-timezone-hint"
          onChange={(e) => change('timezone', e.target.value)}
        />
        <datalist id="trigger-timezones">
          {ZONES.map((zone) => (
            <option key={zone} value={zone} />
          ))}
        </datalist>
        <span id="trigger-timezone-hint" className="hint">
          An IANA zone; UTC when empty. A time the clocks skip does not fire; a repeated hour fires once.
        </span>
      </div>
      <div className="reactions-field">
        <label htmlFor="trigger-catch-up">Missed ticks</label>
        <select id="trigger-catch-up" value={text('catchUp') || 'latest'} onChange={(e) => change('catchUp', e.target.value)}>
          {CATCH_UP.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </div>
    </div>
  );
}
