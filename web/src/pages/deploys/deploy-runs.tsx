import { useCallback } from 'react';
import { Link } from 'react-router';
import { Empty, ErrorNotice, formatDuration, Loading, Pager, StatusBadge, Time } from '../../components/ui';
import { seg } from '../../lib/api';
import { useClientPages, useEventStream, useResource } from '../../lib/hooks';
import type { ShiplineEvent } from '../../lib/types';
import { shortId } from '../runs/run-format';

/** A run as GET /api/v1/deploys/:id/runs lists it (the list shape of GET /api/v1/runs). */
interface TriggeredRun {
  id: string;
  reaction: string;
  reactionVersion: number;
  eventId: string;
  status: string;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

const duration = (run: TriggeredRun) =>
  run.startedAt && run.finishedAt ? formatDuration(Date.parse(run.finishedAt) - Date.parse(run.startedAt)) : '—';

/** The runs of reactions this deploy's events started, kept current as runs end. */
export function DeployRuns({ deployId }: { deployId: string }) {
  const runs = useResource<{ items: TriggeredRun[] }>(`/api/v1/deploys/${seg(deployId)}/runs`);
  const pages = useClientPages(runs.data?.items ?? [], 20);
  const { reload } = runs;
  const known = runs.data?.items;
  // A run ending (run.succeeded, run.failed, …) may be one of this deploy's, or a new one it started.
  const onRunEvent = useCallback(
    (event: ShiplineEvent) => {
      const data = event.data as { runId?: string; status?: string };
      const run = known?.find((r) => r.id === data.runId);
      if (!run || run.status !== data.status) reload();
    },
    [known, reload],
  );
  useEventStream('run.*', onRunEvent);

  return (
    <section aria-labelledby="deploy-runs">
      <div className="catalog-section-head">
        <h2 id="deploy-runs">Runs it triggered</h2>
        <button type="button" className="button-small" onClick={reload} disabled={runs.loading}>
          Refresh
        </button>
      </div>
      <ErrorNotice error={runs.error} />
      {runs.loading && !runs.data ? <Loading label="Loading runs…" /> : null}
      {runs.data && runs.data.items.length === 0 ? (
        <Empty>
          No reaction ran for this deploy. Reactions on <code>deploy.recorded</code> or <code>deploy.*</code> run when a deploy arrives, on{' '}
          <code>deploy.failed</code> when it fails (reported or marked); see <Link to="/reactions">Reactions</Link>.
        </Empty>
      ) : null}
      {pages.items.length > 0 ? (
        <div className="table-wrap">
          <table aria-label="Runs this deploy triggered">
            <thead>
              <tr>
                <th>Run</th>
                <th>Reaction</th>
                <th>Status</th>
                <th className="hide-narrow">Started</th>
                <th className="hide-narrow">Took</th>
                <th className="hide-narrow">Error</th>
              </tr>
            </thead>
            <tbody>
              {pages.items.map((run) => (
                <tr key={run.id}>
                  <td>
                    <Link to={`/runs/${seg(run.id)}`} className="sha">
                      {shortId(run.id)}
                    </Link>
                  </td>
                  <td>
                    <Link to={`/reactions/${seg(run.reaction)}`}>{run.reaction}</Link> <span className="muted">v{run.reactionVersion}</span>
                  </td>
                  <td>
                    <StatusBadge status={run.status} />
                  </td>
                  <td className="hide-narrow">
                    <Time iso={run.startedAt ?? run.createdAt} />
                  </td>
                  <td className="hide-narrow">{duration(run)}</td>
                  <td className="hide-narrow">{run.error ?? <span className="muted">—</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <Pager {...pages} />
    </section>
  );
}
