import { PageHeader } from '../../components/ui';

export default function IntegrationsPage() {
  return <PageHeader title="Integrations" />;
}
