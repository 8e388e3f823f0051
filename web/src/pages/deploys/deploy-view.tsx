import { Link } from 'react-router';
import type { Deploy } from '../../lib/types';

/** The service a deploy went to: a link when a service claims it, else the bare alias. */
export function ServiceCell({ deploy }: { deploy: Deploy }) {
  if (deploy.service) return <Link to={`/services/${encodeURIComponent(deploy.service.id)}`}>{deploy.service.name}</Link>;
  return (
    <span title="No service claims this alias yet">
      {deploy.serviceAlias} <span className="badge">unclaimed</span>
    </span>
  );
}

export function deployerLabel(deploy: Deploy): string {
  return deploy.deployer.user?.name ?? deploy.deployer.name ?? deploy.deployer.email ?? '—';
}

export function shortSha(sha: string | null | undefined): string {
  return sha ? sha.slice(0, 8) : '';
}
