import { useCallback } from 'react';
import { Link, useSearchParams } from 'react-router';
import { Empty, ErrorNotice, LiveDot, Loading, PageHeader, Pager } from '../../components/ui';
import { useEventStream, usePaged, useResource, useUrlFilter } from '../../lib/hooks';
import { RunsTable } from './RunsTable';
import { shortId } from './run-format';
import type { Run } from './types';
import { isFinished, RUN_STATUSES } from './types';
import { usePolling, useThrottled } from '../../lib/refresh';
import './runs.css';

const FILTERS = ['reaction', 'status', 'eventId'] as const;
type Filter = (typeof FILTERS)[number];

/** Runs change without events (a step starts, waits): lists with unfinished runs are read again this often. */
const POLL_MS = 4000;

export default function RunsPage() {
  const [params, setParams] = useSearchParams();
  const filters = Object.fromEntries(FILTERS.map((k) => [k, params.get(k) ?? undefined])) as Partial<Record<Filter, string>>;
  const list = usePaged<Run>('/api/v1/runs', filters);
  const reactions = useResource<{ items: Array<{ name: string }> }>('/api/v1/reactions');
  const names = [...new Set([...(reactions.data?.items.map((r) => r.name) ?? []), ...(filters.reaction ? [filters.reaction] : [])])].sort();

  // Any event may start runs and run.* events end them: read the first page again, at most once a second.
  const refresh = useThrottled(list.reload, 1000);
  const onEvent = useCallback(() => {
    if (list.page === 1) refresh();
  }, [list.page, refresh]);
  const stream = useEventStream('*', onEvent);
  usePolling(
    list.items.some((r) => !isFinished(r.status)),
    list.reload,
    POLL_MS,
  );

  const setUrlFilter = useUrlFilter();
  const setFilter = (key: Filter, value: string) => setUrlFilter(key, value);

  return (
    <>
      <PageHeader title="Runs" subtitle="What each reaction did with each event, newest first.">
        <LiveDot state={stream} />
      </PageHeader>
      <form className="filters" role="search" aria-label="Filter runs" onSubmit={(e) => e.preventDefault()}>
        <label>
          Reaction
          <select name="reaction" value={filters.reaction ?? ''} onChange={(e) => setFilter('reaction', e.target.value)}>
            <option value="">Any</option>
            {names.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <label>
          Status
          <select name="status" value={filters.status ?? ''} onChange={(e) => setFilter('status', e.target.value)}>
            <option value="">Any</option>
            {RUN_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        {filters.eventId ? (
          <span className="runs-filter-chip">
            Started by{' '}
            <Link className="sha" to={`/events/${filters.eventId}`}>
              event {shortId(filters.eventId)}
            </Link>
            <button type="button" className="button-small" onClick={() => setFilter('eventId', '')} aria-label="Show runs of every event">
              ×
            </button>
          </span>
        ) : null}
        {FILTERS.some((k) => filters[k]) ? (
          <button type="button" onClick={() => setParams(new URLSearchParams(), { replace: true })}>
            Clear
          </button>
        ) : null}
      </form>
      <ErrorNotice error={reactions.error} />
      <ErrorNotice error={list.error} />
      {list.loading && list.items.length === 0 ? <Loading label="Loading runs…" /> : null}
      {!list.loading && !list.error && list.items.length === 0 ? (
        FILTERS.some((k) => filters[k]) ? (
          <Empty>No run matches these filters.</Empty>
        ) : (
          <Empty>
            No runs yet. A run starts when an event matches a <Link to="/reactions">reaction</Link>.
          </Empty>
        )
      ) : null}
      {list.items.length > 0 ? <RunsTable runs={list.items} label="Runs" /> : null}
      <Pager {...list} />
    </>
  );
}
