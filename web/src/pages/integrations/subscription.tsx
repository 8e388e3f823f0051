import { useEffect, useState } from 'react';
import { StatusBadge, Time } from '../../components/ui';
import type { Connection, SubscriptionState } from './types';

/**
 * The state of the subscription Shipline keeps at the provider for a connection. Newer servers send
 * it; otherwise it follows from what the reconciler stored: an id is a subscription, an error is the
 * provider's refusal, and a reconcile that left no id means nothing needs its events yet.
 */
export function subscriptionStateOf(connection: Connection): SubscriptionState {
  const sub = connection.subscription;
  if (sub?.state) return sub.state;
  if (!sub) return connection.status === 'ready' ? 'pending' : 'none';
  if (sub.error) return 'error';
  if (sub.id) return 'ready';
  return (sub.lastReconciledAt ?? sub.reconciledAt) ? 'none' : 'pending';
}

/**
 * Worth asking again soon: a subscription being set up, or one that failed (the reconciler retries,
 * and a test of the connection starts it again).
 */
export const unsettled = (connection: Connection) => ['pending', 'error'].includes(subscriptionStateOf(connection));

const LABEL: Record<SubscriptionState, string> = { ready: 'ready', pending: 'pending', error: 'error', none: 'not needed' };

/** The subscription Shipline keeps at the provider (named by `provider`, its title) for this connection: state, categories, problems. */
export function SubscriptionSummary({
  connection,
  provider,
  timedOut,
  onCheckAgain,
  standalone,
}: {
  connection: Connection;
  provider: string;
  timedOut?: boolean;
  onCheckAgain?(): void;
  /** In its own card, without the divider. */ standalone?: boolean;
}) {
  const state = subscriptionStateOf(connection);
  const sub = connection.subscription;
  const reconciledAt = sub?.lastReconciledAt ?? sub?.reconciledAt ?? null;
  return (
    <div className={standalone ? undefined : 'integrations-subscription'} aria-live="polite">
      <dl className="kv">
        <dt>Subscription</dt>
        <dd data-subscription-state={state}>
          <StatusBadge status={state === 'none' ? 'neutral' : state} label={LABEL[state]} />
          {state === 'pending' && !timedOut ? <span className="muted"> Shipline is setting it up in {provider}…</span> : null}
        </dd>
        {sub?.id ? (
          <>
            <dt>Subscription id</dt>
            <dd className="mono">{sub.id}</dd>
          </>
        ) : null}
        {state === 'ready' ? (
          <>
            <dt>Categories</dt>
            <dd>{sub && sub.categories.length > 0 ? sub.categories.join(', ') : 'every category'}</dd>
          </>
        ) : null}
        {reconciledAt ? (
          <>
            <dt>Checked</dt>
            <dd>
              <Time iso={reconciledAt} />
            </dd>
          </>
        ) : null}
      </dl>
      {state === 'error' && sub?.error ? (
        <div className="notice notice-error" role="alert">
          <strong>{provider} refused the subscription:</strong> {sub.error}
        </div>
      ) : null}
      {state === 'none' ? (
        <p className="hint">
          Nothing needs {provider} events from this connection yet. Add a reaction on it (or turn on what records its events), and Shipline
          subscribes.
        </p>
      ) : null}
      {sub?.warning ? <div className="notice notice-warn">{sub.warning}</div> : null}
      {state === 'pending' && timedOut ? (
        <div className="notice notice-warn">
          Still pending. Shipline keeps trying in the background.{' '}
          {onCheckAgain ? (
            <button type="button" className="button-small" onClick={onCheckAgain}>
              Check again
            </button>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

/**
 * Reloads every `everyMs` while `pending`, until `forMs` have passed (then `timedOut`); `restart`
 * gives it a new deadline, e.g. after a save. Keyed on the loaded data, so each answer schedules
 * the next request and a slow server is never asked twice at once.
 */
export function usePollWhile(
  pending: boolean,
  loaded: { data: unknown; error: unknown; reload(): void },
  { everyMs = 1000, forMs = 60_000 } = {},
) {
  const [deadline, setDeadline] = useState(() => Date.now() + forMs);
  const [timedOut, setTimedOut] = useState(false);
  const { data, error, reload } = loaded;
  useEffect(() => {
    if (!pending) return;
    if (Date.now() >= deadline) {
      setTimedOut(true);
      return;
    }
    const timer = setTimeout(reload, everyMs);
    return () => clearTimeout(timer);
  }, [pending, data, error, deadline, reload, everyMs]);
  return {
    timedOut: pending && timedOut,
    restart: () => {
      setTimedOut(false);
      setDeadline(Date.now() + forMs);
    },
  };
}
