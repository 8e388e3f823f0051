import { StatusBadge } from '../../components/ui';
import type { Connection } from './types';

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
