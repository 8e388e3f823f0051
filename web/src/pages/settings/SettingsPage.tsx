import { PageHeader } from '../../components/ui';
import { useSession } from '../../lib/session';
import { TabPanel, Tabs, useTabParam } from '../integrations/tabs';
import AccountTab from './AccountTab';
import SecretsTab from './SecretsTab';
import TokensTab from './TokensTab';
import UsersTab from './UsersTab';
import '../integrations/integrations.css';

const ALL_TABS = [
  { key: 'account', label: 'Your account', admin: false },
  { key: 'users', label: 'Users', admin: true },
  { key: 'tokens', label: 'API tokens', admin: true },
  { key: 'secrets', label: 'Secrets', admin: true },
] as const;

export default function SettingsPage() {
  const { can } = useSession();
  // Users, tokens and secrets are admin-only on the server too, so other roles see only their account.
  const tabs = ALL_TABS.filter((t) => !t.admin || can('admin'));
  const [tab, setTab] = useTabParam(tabs);
  return (
    <>
      <PageHeader
        title="Settings"
        subtitle={
          can('admin')
            ? 'Your account, the people and tokens that use Shipline, and the secrets reactions use.'
            : 'Your account. Users, API tokens and secrets are managed by admins.'
        }
      />
      <Tabs tabs={tabs} current={tab} onSelect={setTab} label="Settings" idPrefix="settings" />
      <TabPanel idPrefix="settings" tab={tab}>
        {tab === 'account' ? <AccountTab /> : null}
        {tab === 'users' ? <UsersTab /> : null}
        {tab === 'tokens' ? <TokensTab /> : null}
        {tab === 'secrets' ? <SecretsTab /> : null}
      </TabPanel>
    </>
  );
}
