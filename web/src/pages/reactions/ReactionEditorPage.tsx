import { PageHeader } from '../../components/ui';

export default function ReactionEditorPage() {
  return <PageHeader title="ReactionEditor" />;
}
