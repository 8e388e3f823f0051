import type { ShiplineEvent } from './types';

export type StreamState = 'connecting' | 'live' | 'reconnecting';

interface Listener {
  matches(type: string): boolean;
  onEvent(event: ShiplineEvent): void;
  onState(state: StreamState): void;
}

// One EventSource per browser tab, shared by every component that listens, each filtering by its
// own glob here. Browsers allow six HTTP/1.1 connections per site across all tabs; a stream per
// component would use them up with a few tabs open and leave the API's requests waiting.
let source: EventSource | null = null;
let state: StreamState = 'connecting';
let closeTimer: ReturnType<typeof setTimeout> | undefined;
const listeners = new Set<Listener>();

/** The server's globs: `*` any run of characters (dots too), `?` exactly one, the rest literal. */
export function globMatcher(glob: string): (type: string) => boolean {
  if (glob === '*') return () => true;
  const pattern = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  const regex = new RegExp(`^${pattern}$`);
  return (type) => regex.test(type);
}

function setState(next: StreamState): void {
  state = next;
  for (const listener of listeners) listener.onState(next);
}

function open(): void {
  // named=false: frames without an `event:` line, so onmessage sees every type.
  source = new EventSource('/api/v1/events/stream?named=false', { withCredentials: true });
  setState('connecting');
  source.onopen = () => setState('live');
  source.onerror = () => setState('reconnecting');
  source.onmessage = (message: MessageEvent<string>) => {
    let event: ShiplineEvent;
    try {
      event = JSON.parse(message.data) as ShiplineEvent;
    } catch {
      return; // A malformed frame is skipped; the next one is independent.
    }
    for (const listener of listeners) if (listener.matches(event.type)) listener.onEvent(event);
  };
}

/** Listens to the live events whose type matches `glob`; returns the unsubscribe. */
export function subscribe(glob: string, onEvent: (event: ShiplineEvent) => void, onState: (state: StreamState) => void): () => void {
  const listener: Listener = { matches: globMatcher(glob), onEvent, onState };
  listeners.add(listener);
  clearTimeout(closeTimer);
  if (!source) open();
  onState(state);
  return () => {
    listeners.delete(listener);
    if (listeners.size > 0) return;
    // Kept open a moment: moving to another page unsubscribes, then subscribes again at once,
    // and a new stream would miss what happened in between.
    closeTimer = setTimeout(() => {
      if (listeners.size > 0 || !source) return;
      source.close();
      source = null;
    }, 2000);
  };
}
