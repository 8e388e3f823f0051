import { useCallback, useState } from 'react';
import { Link } from 'react-router';
import { Empty, ErrorNotice, LiveDot, Loading, PageHeader, Pager, StatusBadge, Time } from '../../components/ui';
import { seg } from '../../lib/api';
import { useEventStream, usePaged } from '../../lib/hooks';
import { useSession } from '../../lib/session';
import type { ShiplineEvent } from '../../lib/types';
import { isObject } from './document';
import { NEW_REACTION_PATH } from './paths';
import './reactions.css';
import { scheduleOf, shortLocalTime } from './schedule';
import type { LastRun, ReactionListItem } from './types';

/** Every reaction with the state of its last run, which follows the runs as they end (`run.*` events). */
export default function ReactionsPage() {
  const { can } = useSession();
  const list = usePaged<ReactionListItem>('/api/v1/reactions');
  const [ended, setEnded] = useState<Map<string, LastRun>>(new Map());

  const onEvent = useCallback((event: ShiplineEvent) => {
    const data = isObject(event.data) ? event.data : {};
    if (typeof data.reaction !== 'string' || typeof data.runId !== 'string' || typeof data.status !== 'string') return;
    const run: LastRun = { id: data.runId, status: data.status, createdAt: event.timestamp };
    setEnded((current) => new Map(current).set(data.reaction as string, run));
  }, []);
  const stream = useEventStream('run.*', onEvent);

  /** The newer of the listed last run and one that ended since the page loaded. */
  const lastRunOf = (reaction: ReactionListItem): LastRun | null => {
    const live = ended.get(reaction.name);
    const listed = reaction.lastRun ?? null;
    if (!live) return listed;
    if (!listed || listed.id === live.id) return live;
    return live.createdAt >= listed.createdAt ? live : listed;
  };

  return (
    <>
      <PageHeader title="Reactions" subtitle="What Shipline does when events arrive, and how their last runs went.">
        <LiveDot state={stream} />
        <button type="button" onClick={list.reload} disabled={list.loading}>
          Refresh
        </button>
        <Link className="button" to="/reaction-templates">
          From a template
        </Link>
        {can('write') ? (
          <Link className="button primary" to={NEW_REACTION_PATH}>
            New reaction
          </Link>
        ) : null}
      </PageHeader>
      <ErrorNotice error={list.error} />
      {list.loading && list.items.length === 0 ? <Loading /> : null}
      {!list.loading && !list.error && list.items.length === 0 ? (
        <Empty>
          No reactions yet. Start from a ready-made one in the <Link to="/reaction-templates">template gallery</Link>,{' '}
          {can('write') ? <Link to={NEW_REACTION_PATH}>create one</Link> : 'ask someone with the write role to create one'}, or apply YAML
          documents with <code>shipline reactions apply -f reactions/</code>.
        </Empty>
      ) : null}
      {list.items.length > 0 ? (
        <div className="table-wrap">
          <table aria-label="Reactions">
            <thead>
              <tr>
                <th>Name</th>
                <th>Trigger</th>
                <th>Next</th>
                <th>State</th>
                <th>Last run</th>
                <th className="hide-narrow">Version</th>
                <th className="hide-narrow">Updated</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((reaction) => {
                const lastRun = lastRunOf(reaction);
                const schedule = scheduleOf(reaction.document);
                return (
                  <tr key={reaction.name} data-reaction={reaction.name}>
                    <td>
                      <Link to={`/reactions/${seg(reaction.name)}`}>{reaction.name}</Link>
                      {reaction.description ? <div className="muted hide-narrow">{reaction.description}</div> : null}
                    </td>
                    <td>
                      {schedule ? (
                        <>
                          <span className="muted">schedule</span> <code>{schedule.cron}</code>{' '}
                          <span className="muted">{schedule.timezone}</span>
                        </>
                      ) : (
                        <code>{reaction.trigger}</code>
                      )}
                    </td>
                    <td className="reactions-next">
                      {reaction.nextFireAt ? (
                        <>
                          <Time iso={reaction.nextFireAt} />
                          <div className="muted">{shortLocalTime(reaction.nextFireAt)}</div>
                        </>
                      ) : null}
                    </td>
                    <td>
                      <StatusBadge status={reaction.enabled ? 'enabled' : 'disabled'} />
                    </td>
                    <td className="reactions-last-run">
                      {lastRun ? (
                        <>
                          <Link to={`/runs/${lastRun.id}`} aria-label={`Last run: ${lastRun.status}`}>
                            <StatusBadge status={lastRun.status} />
                          </Link>{' '}
                          <span className="muted">
                            <Time iso={lastRun.createdAt} />
                          </span>
                        </>
                      ) : (
                        <span className="muted">never</span>
                      )}
                    </td>
                    <td className="hide-narrow">v{reaction.version}</td>
                    <td className="hide-narrow">
                      <Time iso={reaction.updatedAt} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      <Pager {...list} />
    </>
  );
}
