import { PageHeader } from '../../components/ui';

export default function EventPage() {
  return <PageHeader title="Event" />;
}
