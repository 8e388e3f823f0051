import { useState } from 'react';
import { Link } from 'react-router';
import { ActionButton, JsonView, relativeTime, StatusBadge } from '../../components/ui';
import type { Page } from '../../lib/api';
import { ApiError } from '../../lib/api';
import { useResource } from '../../lib/hooks';
import type { ShiplineEvent } from '../../lib/types';
import { isObject } from './document';
import { localTime, tickEvent } from './schedule';
import type { TickSubject } from './schedule';
import type { DryRunSubject, Validation } from './types';
import { RefusedByLabel } from '../events/refused-by';
import { useDebounced } from './use-debounced';
import { validate } from './validation';
import type { Checkable } from './validation';
import { YamlInput } from './yaml-input';

/** A few words about an event for the picker: which deploy, where, when. */
function summary(event: ShiplineEvent): string {
  const data = isObject(event.data) ? event.data : {};
  const parts = [data.serviceAlias ?? data.projectName, data.environment ?? data.environmentName, data.description ?? data.message].filter(
    (p): p is string => typeof p === 'string' && p !== '',
  );
  return [event.type, relativeTime(event.receivedAt), ...parts].join(' · ');
}

const SAMPLE_DEPLOY = {
  serviceAlias: 'checkout',
  service: { name: 'checkout' },
  environment: 'production',
  description: 'A made-up deploy',
  deployNumber: '42',
  status: 'succeeded',
};

/**
 * Renders the document against an event without running anything: would it match, and with which
 * inputs. A scheduled document is tried against its next tick instead of stored events.
 */
export function DryRunPanel({ check, trigger, tick }: { check: Checkable; trigger: string; tick?: TickSubject | null }) {
  const [chosen, setMode] = useState<'stored' | 'made-up'>('stored');
  const mode = chosen === 'stored' && tick ? 'tick' : chosen;
  const [picked, setPicked] = useState('');
  const [madeUpType, setMadeUpType] = useState(() => (trigger.includes('*') || trigger.includes('?') ? '' : trigger));
  const [madeUpData, setMadeUpData] = useState<unknown>(SAMPLE_DEPLOY);
  const [result, setResult] = useState<{ value: Validation; for: string } | null>(null);
  const glob = useDebounced(trigger, 400);
  const events = useResource<Page<ShiplineEvent>>(glob ? '/api/v1/events' : null, { type: glob, limit: 20 });
  const items = events.data?.items ?? [];
  const eventId = items.some((e) => e.id === picked) ? picked : (items[0]?.id ?? '');

  const subject: DryRunSubject | null =
    mode === 'tick'
      ? tick?.scheduledAt
        ? { event: tickEvent(tick.reaction, tick.scheduledAt) }
        : null
      : mode === 'stored'
        ? eventId
          ? { eventId }
          : null
        : madeUpType.trim()
          ? { event: { type: madeUpType.trim(), data: madeUpData ?? {} } }
          : null;

  return (
    <section className="card reactions-dry-run" aria-labelledby="dry-run-title">
      <h2 id="dry-run-title">Dry run</h2>
      <p className="hint">Renders each step's input for an event, secrets redacted. Nothing is sent and nothing is saved.</p>
      <div className="tabs" role="tablist" aria-label="Event to test with">
        <button type="button" role="tab" aria-selected={mode !== 'made-up'} onClick={() => setMode('stored')}>
          {tick ? 'Next tick' : 'Recent event'}
        </button>
        <button type="button" role="tab" aria-selected={mode === 'made-up'} onClick={() => setMode('made-up')}>
          Made-up event
        </button>
      </div>
      {mode === 'tick' ? (
        <p className="hint" role="status">
          {tick?.scheduledAt ? (
            <>
              The <code>schedule.fired</code> event of the next tick, due{' '}
              <time dateTime={tick.scheduledAt}>{localTime(tick.scheduledAt)}</time>.
            </>
          ) : (
            'The next tick is known once the schedule is valid.'
          )}
        </p>
      ) : mode === 'stored' ? (
        <div className="reactions-field">
          <label htmlFor="dry-run-event">
            Event matching <code>{glob || '…'}</code>
          </label>
          <div className="reactions-inline">
            <select id="dry-run-event" value={eventId} onChange={(e) => setPicked(e.target.value)} disabled={items.length === 0}>
              {items.length === 0 ? <option value="">{events.loading ? 'Loading events…' : 'No recent events of this type'}</option> : null}
              {items.map((e) => (
                <option key={e.id} value={e.id}>
                  {summary(e)}
                </option>
              ))}
            </select>
            <button type="button" className="button-small" onClick={events.reload} disabled={!glob}>
              Refresh
            </button>
          </div>
          {events.error ? (
            <span className="reactions-field-error">{events.error instanceof ApiError ? events.error.message : String(events.error)}</span>
          ) : null}
          {eventId ? (
            <Link className="hint" to={`/events/${eventId}`}>
              Open this event
            </Link>
          ) : null}
        </div>
      ) : (
        <>
          <div className="reactions-field">
            <label htmlFor="dry-run-type">Made-up event type</label>
            <input
              id="dry-run-type"
              value={madeUpType}
              placeholder="deploy.recorded"
              spellCheck={false}
              onChange={(e) => setMadeUpType(e.target.value)}
            />
          </div>
          <div className="reactions-field">
            <label htmlFor="dry-run-data">Made-up event data (YAML or JSON)</label>
            <YamlInput id="dry-run-data" value={madeUpData} rows={7} onChange={setMadeUpData} />
          </div>
        </>
      )}
      <div className="reactions-inline">
        <ActionButton
          className="primary"
          busyLabel="Rendering…"
          disabled={!subject}
          onAction={async () => setResult({ value: await validate(check, subject ?? undefined), for: JSON.stringify([check, subject]) })}
        >
          Dry run
        </ActionButton>
        {!subject && mode !== 'tick' ? (
          <span className="hint">{mode === 'stored' ? 'Pick an event, or make one up.' : 'Give the event a type.'}</span>
        ) : null}
      </div>
      {result && result.for !== JSON.stringify([check, subject]) ? (
        <p className="hint" role="status">
          The document or the event changed since this dry run; run it again to see the new inputs.
        </p>
      ) : null}
      {result ? <DryRunResult result={result.value} /> : null}
    </section>
  );
}

function DryRunResult({ result }: { result: Validation }) {
  if (!result.valid || !result.dryRun) {
    return (
      <div className="notice notice-warn" role="status">
        <strong>The document has problems; fix them to dry run it.</strong>
        <ul>
          {result.problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      </div>
    );
  }
  const { matched, reason, refusedBy, steps } = result.dryRun;
  return (
    <div className="reactions-dry-run-result" role="status" aria-label="Dry run result">
      <p>
        {matched ? <StatusBadge status="succeeded" label="Would run" /> : <StatusBadge status="disabled" label="Would not run" />}
        {refusedBy ? (
          <span>
            {' '}
            Refused by <RefusedByLabel refusedBy={refusedBy} />:
          </span>
        ) : null}
        {reason ? <span> {reason}</span> : matched ? <span> The trigger matches this event.</span> : null}
      </p>
      <ol className="reactions-dry-run-steps">
        {steps.map((step) => (
          <li key={step.id}>
            <div className="reactions-inline">
              <strong>{step.id}</strong> <code>{step.uses}</code>
              <span className="muted">{step.after ? `after ${step.after.step} ends on ${step.after.channel}` : 'runs first'}</span>
            </div>
            {step.error ? (
              <p className="notice notice-info">Not rendered: {step.error}</p>
            ) : (
              <JsonView value={step.input} label={`Rendered input of step ${step.id}`} />
            )}
          </li>
        ))}
      </ol>
    </div>
  );
}
