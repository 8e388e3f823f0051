import { useState } from 'react';
import { Link } from 'react-router';
import { ActionButton } from '../../components/ui';
import { api, seg } from '../../lib/api';
import { shortId } from '../runs/run-format';
import type { ReplayResult } from './types';
import { count } from '../../lib/plural';

/** Dispatches the event again to every matching reaction (role write) and lists the runs that started. */
export function ReplayButton({ eventId, onReplayed }: { eventId: string; onReplayed(): void }) {
  const [result, setResult] = useState<ReplayResult | null>(null);
  const replay = async () => {
    setResult(await api.post<ReplayResult>(`/api/v1/events/${seg(eventId)}/replay`));
    onReplayed();
  };
  return (
    <div className="events-replay">
      <ActionButton
        busyLabel="Replaying…"
        confirm="Replay this event? Every reaction that matches it now starts a new run, and its steps act again."
        onAction={replay}
      >
        Replay
      </ActionButton>
      {result ? (
        <div className="notice notice-info" role="status">
          {result.runs.length === 0 ? (
            'Replayed: no reaction matches this event now, so nothing started.'
          ) : (
            <>
              Replayed: {count(result.runs.length, 'run')} started.
              <ul>
                {result.runs.map((run) => (
                  <li key={run.id}>
                    <Link to={`/runs/${seg(run.id)}`}>
                      {run.reaction} run {shortId(run.id)}
                    </Link>
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      ) : null}
    </div>
  );
}
