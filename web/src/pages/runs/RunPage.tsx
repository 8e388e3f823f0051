import { PageHeader } from '../../components/ui';

export default function RunPage() {
  return <PageHeader title="Run" />;
}
