import { PageHeader } from '../../components/ui';

export default function EnvironmentPage() {
  return <PageHeader title="Environment" />;
}
