import { formatDuration } from '../../components/ui';

/** How long something took, or has been taking when it has not ended. */
export function elapsed(startedAt: string | null, finishedAt: string | null, now = Date.now()): string {
  if (!startedAt) return '—';
  const end = finishedAt ? Date.parse(finishedAt) : now;
  return formatDuration(end - Date.parse(startedAt)) + (finishedAt ? '' : ' so far');
}

export const shortId = (id: string) => id.slice(-8);
