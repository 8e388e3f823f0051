import { ErrorNotice, JsonView, Pager, StatusBadge, Time } from '../../components/ui';
import type { RunStep } from './run-structure';
import { stateLabel, stepState } from './run-structure';
import { elapsed } from './run-format';
import { useClientPages } from '../../lib/hooks';
import type { Attempt } from './types';

function Attempts({ stepId, attempts }: { stepId: string; attempts: Attempt[] }) {
  const pages = useClientPages(attempts, 10);
  if (attempts.length === 0) return null;
  return (
    <>
      <h3>Attempts</h3>
      <div className="table-wrap">
        <table aria-label={`Attempts of step ${stepId}`}>
          <thead>
            <tr>
              <th>#</th>
              <th>Started</th>
              <th className="hide-narrow">Finished</th>
              <th className="hide-narrow">Took</th>
              <th>Error</th>
            </tr>
          </thead>
          <tbody>
            {pages.items.map((a) => (
              <tr key={a.attempt}>
                <td>{a.attempt}</td>
                <td className="nowrap">
                  <Time iso={a.startedAt} />
                </td>
                <td className="hide-narrow nowrap">
                  <Time iso={a.finishedAt} />
                </td>
                <td className="hide-narrow nowrap">{elapsed(a.startedAt, a.finishedAt)}</td>
                <td className="runs-error-cell">{a.error ?? <span className="muted">—</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager {...pages} />
    </>
  );
}

function Logs({ stepId, lines }: { stepId: string; lines: string[] }) {
  const pages = useClientPages(lines, 200);
  return (
    <>
      <h3>Log</h3>
      {lines.length === 0 ? (
        <p className="muted">No log lines.</p>
      ) : (
        <pre className="json runs-log" aria-label={`Log of step ${stepId}`} tabIndex={0}>
          {pages.items.join('\n')}
        </pre>
      )}
      <Pager {...pages} />
    </>
  );
}

/** Everything about one step of a run: state, channel, attempts, timing, input, output and log. */
export function StepDetails({ step }: { step: RunStep }) {
  const e = step.execution;
  const when = step.after ? (
    <>
      after <strong>{step.after.step}</strong> ends on <code>{step.after.channel}</code>
    </>
  ) : (
    <>first, when the run starts</>
  );
  return (
    <section className="card runs-step" aria-labelledby="runs-step-title">
      <div className="runs-step-head">
        <h2 id="runs-step-title">Step {step.id}</h2>
        <StatusBadge status={stepState(step)} label={stateLabel(step)} />
      </div>
      <dl className="kv">
        <dt>Action</dt>
        <dd>
          <code>{step.uses || 'unknown'}</code>
        </dd>
        <dt>Runs</dt>
        <dd>{when}</dd>
        {e ? (
          <>
            <dt>Channel taken</dt>
            <dd>{e.channel ? <code>{e.channel}</code> : <span className="muted">none yet</span>}</dd>
            <dt>Attempts</dt>
            <dd>{e.attempts.length || e.attempt}</dd>
            <dt>Queued</dt>
            <dd>
              <Time iso={e.createdAt} />
            </dd>
            <dt>Started</dt>
            <dd>
              <Time iso={e.startedAt} />
            </dd>
            <dt>Finished</dt>
            <dd>
              <Time iso={e.finishedAt} />
            </dd>
            <dt>Took</dt>
            <dd>{elapsed(e.startedAt, e.finishedAt)}</dd>
            {e.waitingUntil ? (
              <>
                <dt>Waits until</dt>
                <dd>
                  <Time iso={e.waitingUntil} />
                </dd>
              </>
            ) : null}
          </>
        ) : null}
      </dl>
      {!e ? <p className="muted">This step has not run in this run: it runs {when}.</p> : null}
      {e?.error ? <ErrorNotice error={new Error(e.error)} /> : null}
      {e ? (
        <>
          <Attempts stepId={step.id} attempts={e.attempts} />
          <div className="runs-io">
            <div>
              <h3>Input</h3>
              <p className="hint">As rendered for the action; secrets are redacted.</p>
              <JsonView value={e.input} label={`Input of step ${step.id}`} />
            </div>
            <div>
              <h3>Output</h3>
              <p className="hint">
                What the action returned; later steps read it as <code>steps.{step.id}.output</code>.
              </p>
              <JsonView value={e.output} label={`Output of step ${step.id}`} />
            </div>
          </div>
          <Logs stepId={step.id} lines={e.logs} />
        </>
      ) : null}
    </section>
  );
}
