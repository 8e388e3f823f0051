import { StatusBadge } from '../../components/ui';
import type { Connection, ConnectionType } from './types';

const STATUS_LABEL: Record<string, string> = { ready: 'ready', error: 'error', unknown: 'not tested' };

/** A connection's last test outcome as a badge ("not tested" before the first). */
export function ConnectionStatus({ connection }: { connection: Connection }) {
  return (
    <StatusBadge
      status={connection.status === 'unknown' ? 'neutral' : connection.status}
      label={STATUS_LABEL[connection.status] ?? connection.status}
    />
  );
}

/** What deleting asks first: a type that keeps a subscription at the provider loses it too. */
export function deleteQuestion(connection: Connection, type: ConnectionType | undefined): string {
  const subscription = type?.keepsSubscription ? ` Its ${type.title} subscription is deleted too.` : '';
  return `Delete the connection "${connection.name}"?${subscription} Reactions that use it will fail.`;
}
