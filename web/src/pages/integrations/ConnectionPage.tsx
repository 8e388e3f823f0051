import { PageHeader } from '../../components/ui';

export default function ConnectionPage() {
  return <PageHeader title="Connection" />;
}
