import { Link } from 'react-router';
import { localTime, utcTime, viewerZone } from './schedule';
import type { DocSchedule } from './schedule';
import type { ScheduleTick, ScheduleView, Validation } from './types';

/**
 * A scheduled reaction's times: the schedule in words and its next five ticks (the stored ones, or
 * the server's preview while the document has unsaved edits), then the last ticks and their runs.
 */
export function SchedulePanel({
  edited,
  stored,
  enabled,
  changed,
  validation,
}: {
  /** The schedule the editor holds, or null when the document has none. */
  edited: DocSchedule | null;
  /** What the server keeps for the saved reaction (null for a new or unscheduled one). */
  stored: ScheduleView | null;
  enabled: boolean;
  /** Whether the editor's document differs from the saved one. */
  changed: boolean;
  validation: Validation | null;
}) {
  if (!edited && !stored) return null;
  const preview = changed || !stored;
  return (
    <section className="card reactions-schedule" aria-labelledby="schedule-title">
      <h2 id="schedule-title">Schedule</h2>
      {!edited ? (
        <p className="notice notice-warn">The edited document has no schedule: saving it stops the ticks.</p>
      ) : preview ? (
        <Preview edited={edited} validation={validation} saved={Boolean(stored)} />
      ) : (
        <Upcoming
          description={stored!.description}
          schedule={stored!}
          next={stored!.next}
          empty={enabled ? 'No tick is ahead.' : 'Disabled: no tick fires until it is enabled.'}
        />
      )}
      {stored ? <LastTicks ticks={stored.lastTicks} /> : null}
    </section>
  );
}

function Preview({ edited, validation, saved }: { edited: DocSchedule; validation: Validation | null; saved: boolean }) {
  const schedule = validation?.valid ? validation.schedule : undefined;
  if (!schedule) {
    return (
      <p className="muted" role="status">
        {validation && !validation.valid ? 'Fix the problems to preview the schedule.' : 'Reading the schedule…'}
      </p>
    );
  }
  return (
    <>
      <p className="hint">{saved ? 'Preview of the unsaved schedule.' : 'Preview: ticks start once it is saved and enabled.'}</p>
      <Upcoming description={schedule.description} schedule={edited} next={schedule.next} empty="No tick is ahead." />
    </>
  );
}

function Upcoming({
  description,
  schedule,
  next,
  empty,
}: {
  description: string;
  schedule: Pick<DocSchedule, 'cron' | 'catchUp'>;
  next: string[];
  empty: string;
}) {
  return (
    <>
      <p className="reactions-schedule-words" aria-label="Schedule in words">
        {description}
      </p>
      <p className="hint">
        <code>{schedule.cron}</code> · missed ticks: {schedule.catchUp}
      </p>
      <h3 id="schedule-next-title">Next {next.length === 1 ? 'time' : `${next.length} times`}</h3>
      {next.length === 0 ? (
        <p className="muted">{empty}</p>
      ) : (
        <>
          <p className="hint">In your time zone ({viewerZone()}), UTC beside each.</p>
          <ol className="reactions-schedule-next" aria-labelledby="schedule-next-title">
            {next.map((iso) => (
              <li key={iso}>
                <time dateTime={iso}>{localTime(iso, next)}</time> <span className="muted">{utcTime(iso, next)}</span>
              </li>
            ))}
          </ol>
        </>
      )}
    </>
  );
}

function LastTicks({ ticks }: { ticks: ScheduleTick[] }) {
  const all = ticks.flatMap((t) => [t.scheduledAt, t.firedAt]);
  return (
    <>
      <h3>Last ticks</h3>
      {ticks.length === 0 ? (
        <p className="muted">None yet.</p>
      ) : (
        <div className="table-wrap">
          <table aria-label="Last ticks">
            <thead>
              <tr>
                <th>Due</th>
                <th>Fired</th>
                <th>Run</th>
              </tr>
            </thead>
            <tbody>
              {ticks.map((tick) => (
                <tr key={tick.eventId}>
                  <td>
                    <time dateTime={tick.scheduledAt} title={utcTime(tick.scheduledAt, all)}>
                      {localTime(tick.scheduledAt, all)}
                    </time>
                  </td>
                  <td>
                    <time dateTime={tick.firedAt} title={utcTime(tick.firedAt, all)}>
                      {localTime(tick.firedAt, all)}
                    </time>
                  </td>
                  <td>{tick.runId ? <Link to={`/runs/${tick.runId}`}>Open run</Link> : <span className="muted">no run</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
