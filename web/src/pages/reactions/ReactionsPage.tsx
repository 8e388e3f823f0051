import { PageHeader } from '../../components/ui';

export default function ReactionsPage() {
  return <PageHeader title="Reactions" />;
}
