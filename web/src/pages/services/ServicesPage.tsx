import { PageHeader } from '../../components/ui';

export default function ServicesPage() {
  return <PageHeader title="Services" />;
}
