import { PageHeader } from '../../components/ui';

export default function SuggestionsPage() {
  return <PageHeader title="Suggestions" />;
}
