import { useMemo } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { ErrorNotice, Loading, PageHeader, StatusBadge, Time } from '../../components/ui';
import { ApiError, seg } from '../../lib/api';
import { useResource } from '../../lib/hooks';
import { ApprovalPanel } from './ApprovalPanel';
import { RunActions } from './RunActions';
import { declaredSteps, defaultStep, isWaitingApproval, runSteps, stateLabel } from './run-structure';
import { elapsed, shortId } from './run-format';
import { Facts } from './Facts';
import { StepDetails } from './StepDetails';
import StepGraph from './StepGraph';
import type { ReactionVersion, Run } from './types';
import { isFinished } from './types';
import { mayRecover, usePolling } from '../../lib/refresh';
import './runs.css';

/** How often an unfinished run is read again: steps start, wait and end without events. */
const LIVE_MS = 2000;

function VersionNotice({ error, run }: { error: unknown; run: Run }) {
  if (!error) return null;
  const gone = error instanceof ApiError && error.status === 404;
  return (
    <p className="notice notice-warn">
      {gone
        ? `Version ${run.reactionVersion} of ${run.reaction} is no longer stored`
        : `Version ${run.reactionVersion} of ${run.reaction} could not be read: ${(error as Error).message}`}
      ; the steps are shown as they ran, without the channels that connect them.
    </p>
  );
}

export default function RunPage() {
  const { id = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const run = useResource<Run>(`/api/v1/runs/${seg(id)}`);
  const data = run.data?.id === id ? run.data : undefined;
  const version = useResource<ReactionVersion>(data ? `/api/v1/reactions/${seg(data.reaction)}/versions/${data.reactionVersion}` : null);
  const live = data ? !isFinished(data.status) : false;
  usePolling(live && mayRecover(run.error), run.reload, LIVE_MS);

  const structureKnown = Boolean(version.data || version.error);
  const steps = useMemo(() => runSteps(declaredSteps(version.data?.document), data?.steps ?? []), [version.data, data]);
  const selected = steps.find((s) => s.id === params.get('step')) ?? defaultStep(steps);
  const select = (stepId: string) => {
    const next = new URLSearchParams(params);
    next.set('step', stepId);
    setParams(next, { replace: true });
  };

  if (!data) {
    return (
      <>
        <PageHeader title="Run" />
        <ErrorNotice error={run.error} />
        {run.loading ? <Loading label="Loading the run…" /> : null}
      </>
    );
  }

  return (
    <>
      <PageHeader
        title={`Run of ${data.reaction}`}
        subtitle={
          <>
            Run <span className="sha">{shortId(data.id)}</span> of <Link to={`/reactions/${seg(data.reaction)}`}>{data.reaction}</Link>{' '}
            (version {data.reactionVersion}), started by <Link to={`/events/${seg(data.eventId)}`}>event {shortId(data.eventId)}</Link>
          </>
        }
      >
        {live ? (
          <span className="live-dot" data-state="live" aria-live="polite">
            Live: refreshing every {LIVE_MS / 1000} s
          </span>
        ) : (
          <span className="muted">Finished</span>
        )}
        <RunActions run={data} onChanged={run.reload} />
      </PageHeader>
      {/* A failed refresh keeps the last state on screen, with the reason. */}
      <ErrorNotice error={run.error} />

      {steps.filter(isWaitingApproval).map((step) => (
        <ApprovalPanel key={step.id} runId={data.id} step={step} onDecided={run.reload} />
      ))}

      <Facts
        label="Run summary"
        facts={[
          ['Status', <StatusBadge status={data.status} />],
          [
            'Reaction',
            <>
              <Link to={`/reactions/${seg(data.reaction)}`}>{data.reaction}</Link> <span className="muted">v{data.reactionVersion}</span> ·{' '}
              <Link to={`/runs?reaction=${seg(data.reaction)}`}>its runs</Link>
            </>,
          ],
          [
            'Event',
            <Link to={`/events/${seg(data.eventId)}`} className="sha" title={data.eventId}>
              {shortId(data.eventId)}
            </Link>,
          ],
          ['Created', <Time iso={data.createdAt} />],
          ['Started', <Time iso={data.startedAt} />],
          ['Finished', <Time iso={data.finishedAt} />],
          ['Took', elapsed(data.startedAt, data.finishedAt)],
          data.concurrencyKey ? ['Concurrency key', <code>{data.concurrencyKey}</code>] : null,
          data.error ? ['Error', <span className="runs-error-text">{data.error}</span>, 'wide'] : null,
        ]}
      />

      <section aria-labelledby="runs-steps-title">
        <div className="runs-steps-head">
          <h2 id="runs-steps-title">Steps</h2>
          {steps.length > 1 ? (
            <label className="inline">
              Show step
              <select value={selected?.id ?? ''} onChange={(e) => select(e.target.value)}>
                {steps.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.id} ({stateLabel(s)})
                  </option>
                ))}
              </select>
            </label>
          ) : null}
        </div>
        <VersionNotice error={version.error} run={data} />
        {version.loading && !version.data ? <Loading label="Loading the reaction's steps…" /> : null}
        {/* Drawn once the structure is known, so the first fit shows every step. */}
        {structureKnown && steps.length > 0 ? (
          <StepGraph key={steps.map((s) => s.id).join(' ')} steps={steps} selected={selected?.id} onSelect={select} />
        ) : null}
        {structureKnown && steps.length === 0 ? <p className="muted">No step has run yet.</p> : null}
        <p className="hint">Select a step to see its attempts, input, output and log. Solid edges are the channels this run took.</p>
      </section>

      {selected ? <StepDetails step={selected} /> : null}
    </>
  );
}
