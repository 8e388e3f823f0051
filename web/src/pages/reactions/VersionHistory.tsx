import { useEffect, useRef, useState } from 'react';
import { ActionButton, Empty, ErrorNotice, Loading, Pager, StatusBadge, Time } from '../../components/ui';
import { api, seg } from '../../lib/api';
import { usePaged } from '../../lib/hooks';
import type { Reaction, ReactionVersion } from './types';
import { toYaml } from './yaml-input';

/** Every saved version, newest first: view one's document, or restore it as the newest version. */
export function VersionHistory({
  name,
  current,
  canWrite,
  onRestored,
}: {
  name: string;
  /** The current version; the list reloads when it changes (a save, enable or disable). */
  current: number;
  canWrite: boolean;
  onRestored(reaction: Reaction): void;
}) {
  const list = usePaged<ReactionVersion>(`/api/v1/reactions/${seg(name)}/versions`, {}, 20);
  const [viewing, setViewing] = useState<ReactionVersion | null>(null);
  const { reload } = list;
  const shownFor = useRef(current);
  useEffect(() => {
    if (shownFor.current === current) return;
    shownFor.current = current;
    reload();
  }, [current, reload]);

  const restore = async (version: ReactionVersion) => {
    const restored = await api.put<Reaction>(`/api/v1/reactions/${seg(name)}`, version.document);
    setViewing(null);
    onRestored(restored);
  };

  return (
    <div className="reactions-history">
      <ErrorNotice error={list.error} />
      {list.loading && list.items.length === 0 ? <Loading label="Loading versions…" /> : null}
      {!list.loading && !list.error && list.items.length === 0 ? <Empty>No versions yet.</Empty> : null}
      {list.items.length > 0 ? (
        <div className="table-wrap">
          <table aria-label="Versions">
            <thead>
              <tr>
                <th>Version</th>
                <th>State</th>
                <th className="hide-narrow">Saved</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((v) => (
                <tr key={v.version} data-version={v.version}>
                  <td>
                    v{v.version}
                    {v.version === current ? <span className="muted"> (current)</span> : null}
                  </td>
                  <td>
                    <StatusBadge status={v.enabled ? 'enabled' : 'disabled'} />
                  </td>
                  <td className="hide-narrow">
                    <Time iso={v.createdAt} />
                  </td>
                  <td className="reactions-row-actions">
                    <button
                      type="button"
                      className="button-small"
                      aria-pressed={viewing?.version === v.version}
                      onClick={() => setViewing(viewing?.version === v.version ? null : v)}
                    >
                      {viewing?.version === v.version ? 'Hide' : 'View'} <span className="visually-hidden">version {v.version}</span>
                    </button>
                    {canWrite && v.version !== current ? (
                      <ActionButton
                        className="button-small"
                        busyLabel="Restoring…"
                        confirm={`Save version ${v.version}'s document as the newest version of ${name}?`}
                        onAction={() => restore(v)}
                      >
                        Restore <span className="visually-hidden">version {v.version}</span>
                      </ActionButton>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <Pager {...list} />
      {viewing ? (
        <section className="card reactions-version-view" aria-labelledby="version-view-title">
          <h3 id="version-view-title">
            Version {viewing.version}{' '}
            <span className="muted">
              saved <Time iso={viewing.createdAt} />
            </span>
          </h3>
          <pre className="json" tabIndex={0} aria-label={`Document of version ${viewing.version}`}>
            {toYaml(viewing.document)}
          </pre>
        </section>
      ) : null}
    </div>
  );
}
