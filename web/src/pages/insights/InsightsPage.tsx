import { PageHeader } from '../../components/ui';

export default function InsightsPage() {
  return <PageHeader title="Insights" />;
}
