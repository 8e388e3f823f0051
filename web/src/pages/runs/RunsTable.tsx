import { Link } from 'react-router';
import { StatusBadge, Time } from '../../components/ui';
import { seg } from '../../lib/api';
import { elapsed, shortId } from './run-format';
import type { Run } from './types';

/** Runs as a table: when, which reaction, how it went; each links to its run page. */
export function RunsTable({
  runs,
  label,
  fresh,
  showEvent = true,
}: {
  runs: Run[];
  label: string;
  fresh?: ReadonlySet<string>;
  showEvent?: boolean;
}) {
  return (
    <div className="table-wrap">
      <table aria-label={label}>
        <thead>
          <tr>
            <th>Started</th>
            <th>Reaction</th>
            <th>Status</th>
            {showEvent ? <th className="hide-narrow">Event</th> : null}
            <th className="hide-narrow">Took</th>
            <th className="hide-narrow">Error</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => (
            <tr key={run.id} data-run-id={run.id} className={fresh?.has(run.id) ? 'fresh' : undefined}>
              <td className="nowrap">
                <Link to={`/runs/${seg(run.id)}`} aria-label={`Run ${shortId(run.id)} of ${run.reaction}`}>
                  <Time iso={run.startedAt ?? run.createdAt} />
                </Link>
                <div className="sha muted">{shortId(run.id)}</div>
              </td>
              <td>
                <Link to={`/reactions/${seg(run.reaction)}`}>{run.reaction}</Link> <span className="muted">v{run.reactionVersion}</span>
              </td>
              <td>
                <StatusBadge status={run.status} />
              </td>
              {showEvent ? (
                <td className="hide-narrow">
                  <Link className="sha" to={`/events/${seg(run.eventId)}`}>
                    {shortId(run.eventId)}
                  </Link>
                </td>
              ) : null}
              <td className="hide-narrow nowrap">{elapsed(run.startedAt, run.finishedAt)}</td>
              <td className="hide-narrow runs-error-cell">{run.error ?? <span className="muted">—</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
