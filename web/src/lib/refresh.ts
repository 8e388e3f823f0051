import { useEffect, useRef } from 'react';

/** Calls `refresh` every `ms` while `active` (something shown has not finished yet). */
export function usePolling(active: boolean, refresh: () => void, ms: number): void {
  const latest = useRef(refresh);
  latest.current = refresh;
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => latest.current(), ms);
    return () => clearInterval(timer);
  }, [active, ms]);
}

/**
 * A `refresh` that runs at most once per `ms`, however often it is asked for: a burst of live
 * events costs one request, and the last ask of a burst is never lost.
 */
export function useThrottled(refresh: () => void, ms: number): () => void {
  const latest = useRef(refresh);
  latest.current = refresh;
  const state = useRef<{ last: number; timer: ReturnType<typeof setTimeout> | null }>({ last: 0, timer: null });
  useEffect(
    () => () => {
      if (state.current.timer) clearTimeout(state.current.timer);
    },
    [],
  );
  const ask = useRef(() => {
    const s = state.current;
    if (s.timer) return;
    const wait = Math.max(0, s.last + ms - Date.now());
    s.timer = setTimeout(() => {
      s.timer = null;
      s.last = Date.now();
      latest.current();
    }, wait);
  });
  return ask.current;
}

/** Worth asking again: no error, or one that may pass (network, server trouble). A 404 will not. */
export function mayRecover(error: unknown): boolean {
  if (!error) return true;
  const status = (error as { status?: unknown }).status;
  return typeof status !== 'number' || status === 0 || status >= 500;
}
