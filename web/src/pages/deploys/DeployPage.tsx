import { PageHeader } from '../../components/ui';

export default function DeployPage() {
  return <PageHeader title="Deploy" />;
}
