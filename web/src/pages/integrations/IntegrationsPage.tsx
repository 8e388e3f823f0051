import { PageHeader } from '../../components/ui';
import ConnectionsPanel from './ConnectionsPanel';
import DeployEndpointsPanel from './DeployEndpointsPanel';
import OctopusPanel from './OctopusPanel';
import { TabPanel, Tabs, useTabParam } from './tabs';
import WebhooksPanel from './WebhooksPanel';
import './integrations.css';

const TABS = [
  { key: 'octopus', label: 'Octopus Deploy' },
  { key: 'connections', label: 'Connections' },
  { key: 'deploy-endpoints', label: 'Deploy endpoints' },
  { key: 'webhooks', label: 'Webhook endpoints' },
] as const;

export default function IntegrationsPage() {
  const [tab, setTab] = useTabParam(TABS);
  return (
    <>
      <PageHeader
        title="Integrations"
        subtitle="What Shipline hears from and talks to: Octopus, other connections, deploy endpoints and webhooks."
      />
      <Tabs tabs={TABS} current={tab} onSelect={setTab} label="Integrations" idPrefix="integrations" />
      <TabPanel idPrefix="integrations" tab={tab}>
        {tab === 'octopus' ? <OctopusPanel /> : null}
        {tab === 'connections' ? <ConnectionsPanel /> : null}
        {tab === 'deploy-endpoints' ? <DeployEndpointsPanel /> : null}
        {tab === 'webhooks' ? <WebhooksPanel /> : null}
      </TabPanel>
    </>
  );
}
