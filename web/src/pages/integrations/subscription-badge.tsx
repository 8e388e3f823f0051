import { StatusBadge } from '../../components/ui';
import { subscriptionStateOf } from './subscription';
import type { Connection } from './types';

/** A compact "subscription: ready" badge for lists. */
export function SubscriptionBadge({ connection }: { connection: Connection }) {
  const state = subscriptionStateOf(connection);
  return <StatusBadge status={state === 'none' ? 'neutral' : state} label={`subscription ${state === 'none' ? 'not needed' : state}`} />;
}
