import { ErrorNotice, Loading, PageHeader } from '../../components/ui';
import { useResource } from '../../lib/hooks';
import ConnectionsPanel from './ConnectionsPanel';
import DeployEndpointsPanel from './DeployEndpointsPanel';
import SubscribingPanel from './SubscribingPanel';
import { TabPanel, Tabs, useTabParam } from './tabs';
import type { TabSpec } from './tabs';
import type { ConnectionType } from './types';
import WebhooksPanel from './WebhooksPanel';
import './integrations.css';

const FIXED_TABS: TabSpec<string>[] = [
  { key: 'connections', label: 'Connections' },
  { key: 'deploy-endpoints', label: 'Deploy endpoints' },
  { key: 'webhooks', label: 'Webhook endpoints' },
];

/**
 * A tab of its own, first, for each connection type that keeps a subscription at the provider
 * (connecting one is the whole setup); then every connection, deploy endpoints and webhooks.
 */
export default function IntegrationsPage() {
  const types = useResource<{ items: ConnectionType[] }>('/api/v1/connection-types');
  const subscribing = (types.data?.items ?? []).filter((t) => t.keepsSubscription);
  const tabs = [...subscribing.map((t) => ({ key: t.type, label: t.title })), ...FIXED_TABS];
  const [tab, setTab] = useTabParam(tabs);
  const ownTab = subscribing.find((t) => t.type === tab);
  // Until the types are known, the first tab is not: wait rather than show another tab for a moment.
  const waiting = !types.data && !types.error;
  return (
    <>
      <PageHeader title="Integrations" subtitle="What Shipline hears from and talks to: connections, deploy endpoints and webhooks." />
      <ErrorNotice error={types.error} />
      {waiting ? (
        <Loading />
      ) : (
        <>
          <Tabs tabs={tabs} current={tab} onSelect={setTab} label="Integrations" idPrefix="integrations" />
          <TabPanel idPrefix="integrations" tab={tab}>
            {ownTab ? <SubscribingPanel key={ownTab.type} type={ownTab} /> : null}
            {tab === 'connections' ? <ConnectionsPanel /> : null}
            {tab === 'deploy-endpoints' ? <DeployEndpointsPanel /> : null}
            {tab === 'webhooks' ? <WebhooksPanel /> : null}
          </TabPanel>
        </>
      )}
    </>
  );
}
