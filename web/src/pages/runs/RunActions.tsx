import { ActionButton } from '../../components/ui';
import { api, seg } from '../../lib/api';
import { useSession } from '../../lib/session';
import type { Run } from './types';
import { isFinished } from './types';

/** Retry (a finished run with failed steps) and cancel (a run still going), for role write. */
export function RunActions({ run, onChanged }: { run: Run; onChanged(): void }) {
  const { can } = useSession();
  if (!can('write')) return null;
  const finished = isFinished(run.status);
  const failedSteps = (run.steps ?? []).filter((s) => s.status === 'failed').map((s) => s.id);
  return (
    <>
      {finished && failedSteps.length > 0 ? (
        <ActionButton
          className="primary"
          busyLabel="Retrying…"
          onAction={async () => {
            await api.post(`/api/v1/runs/${seg(run.id)}/retry`);
            onChanged();
          }}
        >
          Retry failed {failedSteps.length === 1 ? 'step' : 'steps'}
        </ActionButton>
      ) : null}
      {!finished ? (
        <ActionButton
          className="danger"
          busyLabel="Cancelling…"
          confirm="Cancel this run? Its pending and waiting steps are cancelled and will not run."
          onAction={async () => {
            await api.post(`/api/v1/runs/${seg(run.id)}/cancel`);
            onChanged();
          }}
        >
          Cancel run
        </ActionButton>
      ) : null}
    </>
  );
}
