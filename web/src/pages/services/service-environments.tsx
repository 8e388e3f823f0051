import { Link } from 'react-router';
import { Empty, ErrorNotice, Loading, Pager, StatusBadge, Time } from '../../components/ui';
import { seg } from '../../lib/api';
import { useClientPages, useResource } from '../../lib/hooks';
import type { Service } from '../../lib/types';
import { deployerLabel, shortSha } from '../deploys/deploy-view';
import type { EnvironmentSummary } from './catalog-types';

/** Where the service runs and what: its last deploy to every environment. */
export function ServiceEnvironments({ service }: { service: Service }) {
  const environments = useResource<{ items: EnvironmentSummary[] }>('/api/v1/environments');
  const rows = (environments.data?.items ?? []).flatMap((environment) =>
    environment.services.filter((d) => d.service?.id === service.id).map((deploy) => ({ environment, deploy })),
  );
  const pages = useClientPages(rows, 20);
  return (
    <section aria-labelledby="service-environments">
      <h2 id="service-environments">Last deploy per environment</h2>
      <ErrorNotice error={environments.error} />
      {environments.loading && !environments.data ? <Loading /> : null}
      {environments.data && rows.length === 0 ? <Empty>{service.name} has not been deployed anywhere yet.</Empty> : null}
      {rows.length > 0 ? (
        <div className="table-wrap">
          <table aria-label={`Last deploy of ${service.name} per environment`}>
            <thead>
              <tr>
                <th>Environment</th>
                <th>Status</th>
                <th>Deployed</th>
                <th className="hide-narrow">Deploy</th>
                <th className="hide-narrow">Commit</th>
                <th className="hide-narrow">Deployer</th>
              </tr>
            </thead>
            <tbody>
              {pages.items.map(({ environment, deploy }) => (
                <tr key={deploy.id}>
                  <td>
                    <Link to={`/environments/${seg(environment.name)}`}>{environment.name}</Link>{' '}
                    {environment.tier ? <span className="badge">{environment.tier}</span> : null}
                  </td>
                  <td>
                    <StatusBadge status={deploy.status} />
                  </td>
                  <td>
                    <Link to={`/deploys/${seg(deploy.id)}`}>
                      <Time iso={deploy.deployedAt} />
                    </Link>
                  </td>
                  <td className="hide-narrow">
                    {deploy.description} <span className="muted">#{deploy.deployNumber}</span>
                  </td>
                  <td className="hide-narrow sha" title={deploy.commit?.message ?? undefined}>
                    {shortSha(deploy.commit?.sha)}
                  </td>
                  <td className="hide-narrow">{deployerLabel(deploy)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <Pager {...pages} />
    </section>
  );
}
