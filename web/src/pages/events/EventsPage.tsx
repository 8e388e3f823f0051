import { Fragment, useCallback, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { Empty, ErrorNotice, LiveDot, Loading, PageHeader, Pager, Time } from '../../components/ui';
import { useEventStream, usePaged, useUrlFilter } from '../../lib/hooks';
import type { ShiplineEvent } from '../../lib/types';
import { eventSummary } from './event-summary';
import './events.css';

/** A dotted type that wraps only after its dots in a narrow column. */
function EventType({ type }: { type: string }) {
  const parts = type.split('.');
  return (
    <code className="events-type">
      {parts.map((part, i) => (
        <Fragment key={i}>
          {/* A part never breaks inside (nowrap); the line may break only at the <wbr> after its dot. */}
          <span>{i < parts.length - 1 ? `${part}.` : part}</span>
          {i < parts.length - 1 ? <wbr /> : null}
        </Fragment>
      ))}
    </code>
  );
}

/** A `datetime-local` value (local time) as ISO 8601 for the API. */
const toIso = (local: string | undefined) => (local ? new Date(local).toISOString() : undefined);

export default function EventsPage() {
  const [params, setParams] = useSearchParams();
  const type = params.get('type') ?? undefined;
  const since = params.get('since') ?? undefined;
  const list = usePaged<ShiplineEvent>('/api/v1/events', { type, since: toIso(since) });
  const [fresh, setFresh] = useState<Set<string>>(new Set());

  const onEvent = useCallback(
    (event: ShiplineEvent) => {
      // Only the first page shows the newest; the stream already applies the type glob.
      if (list.page !== 1) return;
      const from = toIso(since);
      if (from && event.receivedAt < from) return;
      list.prepend([event], (e) => e.id);
      setFresh((current) => new Set(current).add(event.id));
    },
    [list, since],
  );
  // An invalid glob is refused by the list (its message is shown); the stream waits for a valid one.
  const stream = useEventStream(list.error ? null : (type ?? '*'), onEvent);

  const setUrlFilter = useUrlFilter();
  const setFilter = (key: 'type' | 'since', value: string) => setUrlFilter(key, value);

  return (
    <>
      <PageHeader title="Events" subtitle="Everything Shipline stored, newest first; new events arrive at the top.">
        <LiveDot state={stream} paused={Boolean(list.error)} />
      </PageHeader>
      <form className="filters" role="search" aria-label="Filter events" onSubmit={(e) => e.preventDefault()}>
        <label>
          Type
          <input
            name="type"
            key={type ?? ''}
            defaultValue={type}
            placeholder="e.g. deploy.* or octopus.*"
            onBlur={(e) => setFilter('type', e.target.value.trim())}
            onKeyDown={(e) => e.key === 'Enter' && setFilter('type', e.currentTarget.value.trim())}
          />
        </label>
        <label>
          Since
          <input type="datetime-local" name="since" value={since ?? ''} onChange={(e) => setFilter('since', e.target.value)} />
        </label>
        {type || since ? (
          <button type="button" onClick={() => setParams(new URLSearchParams(), { replace: true })}>
            Clear
          </button>
        ) : null}
      </form>
      <p className="hint events-hint">
        <code>*</code> matches any characters and <code>?</code> one: <code>deploy.*</code>, <code>octopus.deployment.*</code>,{' '}
        <code>run.failed</code>.
      </p>
      <ErrorNotice error={list.error} />
      {list.loading && list.items.length === 0 ? <Loading label="Loading events…" /> : null}
      {!list.loading && !list.error && list.items.length === 0 ? (
        <Empty>
          {type || since
            ? 'No event matches these filters yet; new ones will appear here.'
            : 'No events yet. Record a deploy or connect an integration and they appear here as they arrive.'}
        </Empty>
      ) : null}
      {list.items.length > 0 ? (
        <div className="table-wrap">
          <table aria-label="Events">
            <thead>
              <tr>
                <th>Received</th>
                <th>Type</th>
                <th>Summary</th>
                <th className="hide-narrow">Source</th>
                <th className="hide-narrow">Position</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((event) => (
                <tr key={event.id} data-event-id={event.id} className={fresh.has(event.id) ? 'fresh' : undefined}>
                  <td className="nowrap">
                    <Link
                      to={`/events/${encodeURIComponent(event.id)}`}
                      aria-label={`Event ${event.type}, ${new Date(event.receivedAt).toLocaleString()}`}
                    >
                      <Time iso={event.receivedAt} />
                    </Link>
                  </td>
                  <td>
                    <EventType type={event.type} />
                  </td>
                  <td className="events-summary">{eventSummary(event) || <span className="muted">—</span>}</td>
                  <td className="hide-narrow">{event.source}</td>
                  <td className="hide-narrow muted">{event.seq}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <Pager {...list} />
    </>
  );
}
