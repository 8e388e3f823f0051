import { useCallback, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { Empty, ErrorNotice, LiveDot, Loading, PageHeader, Pager, StatusBadge, Time } from '../../components/ui';
import { useEventStream, usePaged, useResource, useUrlFilter } from '../../lib/hooks';
import type { ConnectionType } from '../integrations/types';
import type { Deploy, ShiplineEvent } from '../../lib/types';
import { deployerLabel, ServiceCell, shortSha } from './deploy-view';

const FILTERS = ['service', 'environment', 'status', 'source', 'since', 'until'] as const;
type Filter = (typeof FILTERS)[number];

/** A `datetime-local` value (local time) as ISO 8601 for the API. */
const toIso = (local: string) => (local ? new Date(local).toISOString() : undefined);

/** Would a live deploy appear on this filtered list? (The server applies the same rules to the pages.) */
function passes(deploy: Deploy, f: Partial<Record<Filter, string>>): boolean {
  const service = f.service?.toLowerCase();
  if (service && ![deploy.service?.id, deploy.service?.name, deploy.serviceAlias].some((v) => v?.toLowerCase() === service)) return false;
  if (f.environment && deploy.environment?.toLowerCase() !== f.environment.toLowerCase()) return false;
  if (f.status && deploy.status !== f.status) return false;
  if (f.source && deploy.source !== f.source) return false;
  if (f.since && deploy.deployedAt < (toIso(f.since) ?? '')) return false;
  if (f.until && deploy.deployedAt > (toIso(f.until) ?? '\uffff')) return false;
  return true;
}

export default function DeploysPage() {
  const [params, setParams] = useSearchParams();
  const filters = Object.fromEntries(FILTERS.map((k) => [k, params.get(k) ?? undefined])) as Partial<Record<Filter, string>>;
  const query = { ...filters, since: toIso(filters.since ?? ''), until: toIso(filters.until ?? '') };
  const list = usePaged<Deploy>('/api/v1/deploys', query);
  // Besides deploy endpoints, deploys come from the connection types whose deliveries Shipline receives.
  const types = useResource<{ items: ConnectionType[] }>('/api/v1/connection-types');
  const sources = (types.data?.items ?? []).filter((t) => t.inbound);
  const [fresh, setFresh] = useState<Set<string>>(new Set());
  const [updates, setUpdates] = useState<Map<string, Deploy>>(new Map());

  const onEvent = useCallback(
    (event: ShiplineEvent) => {
      const deploy = event.data as Deploy;
      // deploy.failed carries the deploy as it now reads (failed), whatever found the failure.
      if (event.type === 'deploy.updated' || event.type === 'deploy.failed') {
        setUpdates((current) => new Map(current).set(deploy.id, deploy));
        return;
      }
      if (event.type !== 'deploy.recorded' || list.page !== 1 || !passes(deploy, filters)) return;
      list.prepend([deploy], (d) => d.id);
      setFresh((current) => new Set(current).add(deploy.id));
    },
    [list, filters],
  );
  const stream = useEventStream('deploy.*', onEvent);

  const setUrlFilter = useUrlFilter();
  const setFilter = (key: Filter, value: string) => setUrlFilter(key, value);

  return (
    <>
      <PageHeader title="Deploys" subtitle="Every deploy recorded, newest first, live.">
        <LiveDot state={stream} />
      </PageHeader>
      <form className="filters" role="search" aria-label="Filter deploys" onSubmit={(e) => e.preventDefault()}>
        <label>
          Service
          <input
            name="service"
            defaultValue={filters.service}
            placeholder="name or alias"
            onBlur={(e) => setFilter('service', e.target.value.trim())}
            onKeyDown={(e) => e.key === 'Enter' && setFilter('service', e.currentTarget.value.trim())}
          />
        </label>
        <label>
          Environment
          <input
            name="environment"
            defaultValue={filters.environment}
            placeholder="e.g. production"
            onBlur={(e) => setFilter('environment', e.target.value.trim())}
            onKeyDown={(e) => e.key === 'Enter' && setFilter('environment', e.currentTarget.value.trim())}
          />
        </label>
        <label>
          Status
          <select name="status" value={filters.status ?? ''} onChange={(e) => setFilter('status', e.target.value)}>
            <option value="">Any</option>
            {['succeeded', 'failed', 'started', 'queued'].map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Source
          <select name="source" value={filters.source ?? ''} onChange={(e) => setFilter('source', e.target.value)}>
            <option value="">Any</option>
            <option value="custom">custom (deploy endpoint)</option>
            {sources.map((t) => (
              <option key={t.type} value={t.type}>
                {t.title}
              </option>
            ))}
          </select>
        </label>
        <label>
          From
          <input type="datetime-local" name="since" value={filters.since ?? ''} onChange={(e) => setFilter('since', e.target.value)} />
        </label>
        <label>
          To
          <input type="datetime-local" name="until" value={filters.until ?? ''} onChange={(e) => setFilter('until', e.target.value)} />
        </label>
        {FILTERS.some((k) => filters[k]) ? (
          <button type="button" onClick={() => setParams(new URLSearchParams(), { replace: true })}>
            Clear
          </button>
        ) : null}
      </form>
      <ErrorNotice error={list.error} />
      {list.loading && list.items.length === 0 ? <Loading /> : null}
      {!list.loading && !list.error && list.items.length === 0 ? (
        <Empty>
          No deploys yet. Create a deploy endpoint under <Link to="/integrations">Integrations</Link> and POST to it from your pipeline.
        </Empty>
      ) : null}
      {list.items.length > 0 ? (
        <div className="table-wrap">
          <table aria-label="Deploys">
            <thead>
              <tr>
                <th>When</th>
                <th>Service</th>
                <th>Environment</th>
                <th>Status</th>
                <th className="hide-narrow">Description</th>
                <th className="hide-narrow">Commit</th>
                <th className="hide-narrow">Deployer</th>
                <th className="hide-narrow">Source</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((original) => {
                const deploy = updates.get(original.id) ?? original;
                return (
                  <tr key={deploy.id} className={fresh.has(deploy.id) ? 'fresh' : undefined} data-deploy-id={deploy.id}>
                    <td className="nowrap">
                      <Link to={`/deploys/${deploy.id}`}>
                        <Time iso={deploy.deployedAt} />
                      </Link>
                    </td>
                    <td>
                      <ServiceCell deploy={deploy} />
                    </td>
                    <td>
                      {deploy.environment ? (
                        <Link to={`/environments/${encodeURIComponent(deploy.environment)}`}>{deploy.environment}</Link>
                      ) : (
                        <span className="muted">—</span>
                      )}
                    </td>
                    <td>
                      <StatusBadge status={deploy.status} />
                    </td>
                    <td className="hide-narrow">
                      <Link to={`/deploys/${deploy.id}`}>{deploy.description}</Link> <span className="muted">#{deploy.deployNumber}</span>
                    </td>
                    <td className="hide-narrow sha" title={deploy.commit?.message ?? undefined}>
                      {shortSha(deploy.commit?.sha)}
                    </td>
                    <td className="hide-narrow">{deployerLabel(deploy)}</td>
                    <td className="hide-narrow">{deploy.source}</td>
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
