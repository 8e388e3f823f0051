import { PageHeader } from '../../components/ui';

export default function ServicePage() {
  return <PageHeader title="Service" />;
}
