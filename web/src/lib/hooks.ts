import { useCallback, useEffect, useRef, useState } from 'react';
import { useSearchParams } from 'react-router';
import { api } from './api';
import type { Page } from './api';
import { subscribe } from './event-stream';
import type { StreamState } from './event-stream';
import type { ShiplineEvent } from './types';

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload(): void;
}

/** GETs `path` (again whenever it or the query changes, or on reload). `path` null waits. */
export function useResource<T>(path: string | null, query?: Record<string, string | number | boolean | undefined>): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(path !== null);
  const [tick, setTick] = useState(0);
  const key = JSON.stringify(query ?? {});

  useEffect(() => {
    if (path === null) return;
    const abort = new AbortController();
    setLoading(true);
    api.get<T>(path, JSON.parse(key) as Record<string, string>, abort.signal).then(
      (value) => {
        setData(value);
        setError(null);
        setLoading(false);
      },
      (err: unknown) => {
        if (abort.signal.aborted) return;
        setError(err);
        setLoading(false);
      },
    );
    return () => abort.abort();
  }, [path, key, tick]);

  return { data, error, loading, reload: useCallback(() => setTick((t) => t + 1), []) };
}

export interface Paged<T> extends Loaded<Page<T>> {
  items: T[];
  /** 1-based page number. */
  page: number;
  hasNext: boolean;
  hasPrevious: boolean;
  next(): void;
  previous(): void;
  /** Puts items in front (live updates on the first page). */
  prepend(items: T[], key: (item: T) => string): void;
}

/** A cursor-paginated list (`{items, nextCursor}`), page by page; changing the query starts over. */
export function usePaged<T>(path: string, query: Record<string, string | number | boolean | undefined> = {}, limit = 50): Paged<T> {
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const key = JSON.stringify(query);
  useEffect(() => setCursors([undefined]), [path, key]);
  const cursor = cursors[cursors.length - 1];
  const loaded = useResource<Page<T>>(path, { ...query, limit, cursor });
  // Live items put in front. Kept while the page loads or reloads (an item may arrive before the
  // answer that would have included it) and dropped only for another list, page or filter.
  const [extra, setExtra] = useState<T[]>([]);
  const keyOf = useRef<((item: T) => string) | null>(null);
  useEffect(() => setExtra([]), [path, key, cursor]);

  const loadedItems = loaded.data?.items ?? [];
  const loadedKeys = keyOf.current ? new Set(loadedItems.map(keyOf.current)) : null;
  const items = [...(loadedKeys ? extra.filter((item) => !loadedKeys.has(keyOf.current!(item))) : extra), ...loadedItems];
  return {
    ...loaded,
    items,
    page: cursors.length,
    hasNext: Boolean(loaded.data?.nextCursor),
    hasPrevious: cursors.length > 1,
    next: () => loaded.data?.nextCursor && setCursors((c) => [...c, loaded.data!.nextCursor!]),
    previous: () => setCursors((c) => (c.length > 1 ? c.slice(0, -1) : c)),
    prepend: (fresh, keyOfItem) => {
      keyOf.current = keyOfItem;
      setExtra((current) => {
        const seen = new Set([...current, ...loadedItems].map(keyOfItem));
        return [...fresh.filter((item) => !seen.has(keyOfItem(item))), ...current];
      });
    },
  };
}

export type { StreamState } from './event-stream';

/**
 * Live events whose type matches `type` (a glob), from the tab's one Server-Sent Events stream
 * (authenticated by the session cookie; EventSource reconnects by itself and resumes from the
 * last id it saw). `type` null listens to nothing.
 */
export function useEventStream(type: string | null, onEvent: (event: ShiplineEvent) => void): StreamState {
  const [state, setState] = useState<StreamState>('connecting');
  const handler = useRef(onEvent);
  handler.current = onEvent;

  useEffect(() => {
    if (type === null) return;
    return subscribe(type, (event) => handler.current(event), setState);
  }, [type]);

  return state;
}

export interface ClientPages<T> {
  items: T[];
  page: number;
  hasPrevious: boolean;
  hasNext: boolean;
  previous(): void;
  next(): void;
}

/**
 * Pages over a list the server returns whole (suggestions, environments, a step's attempts), so
 * long lists page like the cursor-paginated ones and work with the same <Pager>.
 */
export function useClientPages<T>(all: readonly T[], size = 25): ClientPages<T> {
  const [page, setPage] = useState(1);
  const pages = Math.max(1, Math.ceil(all.length / size));
  // The list may shrink under the reader (an accepted suggestion, a delete): stay on a page that exists.
  const current = Math.min(page, pages);
  return {
    items: all.slice((current - 1) * size, current * size),
    page: current,
    hasPrevious: current > 1,
    hasNext: current < pages,
    previous: () => setPage(Math.max(1, current - 1)),
    next: () => setPage(Math.min(pages, current + 1)),
  };
}

/** A list endpoint that answers `{items}` in one go (connections, endpoints, users, tokens), shown page by page. */
export function useListPages<T>(
  path: string | null,
  filter?: (item: T) => boolean,
): Loaded<{ items: T[] }> & ClientPages<T> & { all: T[] } {
  const loaded = useResource<{ items: T[] }>(path);
  const all = (loaded.data?.items ?? []).filter((item) => (filter ? filter(item) : true));
  return { ...loaded, all, ...useClientPages(all) };
}

/** Sets (or, when empty, removes) one query parameter of the page's URL: filters live there, so a view can be shared. */
export function useUrlFilter(): (key: string, value: string) => void {
  const [, setParams] = useSearchParams();
  return useCallback(
    (key, value) => {
      setParams(
        (current) => {
          const next = new URLSearchParams(current);
          if (value) next.set(key, value);
          else next.delete(key);
          return next;
        },
        { replace: true },
      );
    },
    [setParams],
  );
}
