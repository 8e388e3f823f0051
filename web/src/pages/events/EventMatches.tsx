import { Link } from 'react-router';
import { Empty, ErrorNotice, Loading, Pager, StatusBadge } from '../../components/ui';
import { seg } from '../../lib/api';
import type { Loaded } from '../../lib/hooks';
import { shortId } from '../runs/run-format';
import { useClientPages } from '../../lib/hooks';
import { RefusedByLabel } from './refused-by';
import type { EventMatch } from './types';

function RunLinks({ runs }: { runs: EventMatch['runs'] }) {
  if (runs.length === 0) return <span className="muted">none</span>;
  return (
    <ul className="events-run-links">
      {runs.map((run) => (
        <li key={run.id}>
          <Link to={`/runs/${seg(run.id)}`} aria-label={`Run ${shortId(run.id)}, ${run.status}`}>
            <span className="sha">{shortId(run.id)}</span>
          </Link>{' '}
          <StatusBadge status={run.status} />
        </li>
      ))}
    </ul>
  );
}

function ReactionCell({ match }: { match: EventMatch }) {
  return (
    <>
      <Link to={`/reactions/${seg(match.reaction)}`}>{match.reaction}</Link> <span className="muted">v{match.version}</span>
      {!match.enabled ? (
        <>
          {' '}
          <StatusBadge status="disabled" />
        </>
      ) : null}
    </>
  );
}

function MatchedTable({ matches }: { matches: EventMatch[] }) {
  const pages = useClientPages(matches, 20);
  return (
    <>
      <div className="table-wrap">
        <table aria-label="Reactions that match this event">
          <thead>
            <tr>
              <th>Reaction</th>
              <th className="hide-narrow">Trigger</th>
              <th>Runs this event started</th>
            </tr>
          </thead>
          <tbody>
            {pages.items.map((m) => (
              <tr key={m.reaction}>
                <td>
                  <ReactionCell match={m} />
                </td>
                <td className="hide-narrow">
                  <code>{m.trigger}</code>
                </td>
                <td>
                  <RunLinks runs={m.runs} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager {...pages} />
    </>
  );
}

function UnmatchedTable({ matches }: { matches: EventMatch[] }) {
  const pages = useClientPages(matches, 20);
  return (
    <>
      <div className="table-wrap">
        <table aria-label="Reactions that do not match this event">
          <thead>
            <tr>
              <th>Reaction</th>
              <th>Refused by</th>
              <th>Why not</th>
              <th className="hide-narrow">Trigger</th>
              <th className="hide-narrow">Earlier runs</th>
            </tr>
          </thead>
          <tbody>
            {pages.items.map((m) => (
              <tr key={m.reaction}>
                <td>
                  <ReactionCell match={m} />
                </td>
                <td>{m.refusedBy ? <RefusedByLabel refusedBy={m.refusedBy} /> : '-'}</td>
                <td className="events-reason">{m.reason ?? 'it does not match'}</td>
                <td className="hide-narrow">
                  <code>{m.trigger}</code>
                </td>
                <td className="hide-narrow">
                  <RunLinks runs={m.runs} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager {...pages} />
    </>
  );
}

/** Every reaction against this event: those that match with their runs, the others with the part that refused and why. */
export function EventMatches({ matches }: { matches: Loaded<{ items: EventMatch[] }> }) {
  const items = matches.data?.items ?? [];
  const matched = items.filter((m) => m.matched);
  const unmatched = items.filter((m) => !m.matched);
  return (
    <>
      <section aria-labelledby="events-matched-title">
        <h2 id="events-matched-title">Reactions that match</h2>
        <p className="hint">Checked against each reaction's current version; the runs are the ones this event started.</p>
        <ErrorNotice error={matches.error} />
        {matches.loading && !matches.data ? <Loading label="Checking the reactions…" /> : null}
        {matches.data && matched.length === 0 ? <Empty>No reaction matches this event.</Empty> : null}
        {matched.length > 0 ? <MatchedTable matches={matched} /> : null}
      </section>
      {unmatched.length > 0 ? (
        <section aria-labelledby="events-unmatched-title">
          <h2 id="events-unmatched-title">Reactions that do not match, and why</h2>
          <UnmatchedTable matches={unmatched} />
        </section>
      ) : null}
    </>
  );
}
