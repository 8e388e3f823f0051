import { PageHeader } from '../../components/ui';

export default function RunsPage() {
  return <PageHeader title="Runs" />;
}
