import { Link } from 'react-router';
import { ErrorNotice, Loading, PageHeader } from '../../components/ui';
import type { Page } from '../../lib/api';
import { seg } from '../../lib/api';
import { useResource } from '../../lib/hooks';
import type { ConnectionType } from '../integrations/types';
import './reactions.css';
import './template-gallery.css';
import { missingConnectionTypes } from './template-fill';
import type { ReactionTemplate } from './template-fill';
import type { ConnectionSummary } from './types';

/** The ready-made reactions, each with what it needs: pick one to fill in its blanks, dry run it and create it. */
export default function TemplateGalleryPage() {
  const templates = useResource<{ items: ReactionTemplate[] }>('/api/v1/reaction-templates');
  const connections = useResource<Page<ConnectionSummary>>('/api/v1/connections');
  const types = useResource<{ items: ConnectionType[] }>('/api/v1/connection-types');
  const titleOf = (type: string) => types.data?.items.find((t) => t.type === type)?.title ?? type;

  return (
    <>
      <PageHeader
        title="Reaction templates"
        subtitle="Ready-made reactions: pick one, fill in its connection and the rest, dry run it against a recent event, then create it."
      >
        <Link className="button" to="/reactions">
          Back to reactions
        </Link>
      </PageHeader>
      <ErrorNotice error={templates.error ?? connections.error} />
      {!templates.data || !connections.data ? (
        <Loading label="Loading the templates…" />
      ) : (
        <ul className="template-gallery" aria-label="Reaction templates">
          {templates.data.items.map((template) => {
            const missing = missingConnectionTypes(template, connections.data!.items);
            return (
              <li key={template.name} className="card template-card" data-template={template.name}>
                <h2 id={`template-${template.name}`}>{template.name}</h2>
                <p className="muted template-provider">{template.providerTitle}</p>
                <p>{template.description}</p>
                {missing.length > 0 ? (
                  <p className="notice notice-warn">
                    Needs a {missing.map(titleOf).join(' and a ')} connection, and there is none yet:{' '}
                    <Link to="/integrations?tab=connections">add one under Integrations</Link>.
                  </p>
                ) : null}
                <Link
                  className="button primary template-use"
                  to={`/reaction-templates/${seg(template.name)}`}
                  aria-describedby={`template-${template.name}`}
                >
                  Use this template
                </Link>
              </li>
            );
          })}
        </ul>
      )}
    </>
  );
}
