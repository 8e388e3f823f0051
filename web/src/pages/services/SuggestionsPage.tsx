import { useCallback, useState } from 'react';
import { Link } from 'react-router';
import { Empty, ErrorNotice, Loading, PageHeader, Pager } from '../../components/ui';
import type { Page } from '../../lib/api';
import { seg } from '../../lib/api';
import { useClientPages, useEventStream, useResource } from '../../lib/hooks';
import { useSession } from '../../lib/session';
import type { Service } from '../../lib/types';
import type { Suggestion } from './catalog-types';
import { SuggestionRow } from './suggestion-row';
import type { Outcome } from './suggestion-row';
import './services.css';
import { count, plural } from '../../lib/plural';

function OutcomeNotice({ outcome }: { outcome: Outcome }) {
  if (outcome.kind === 'dismissed')
    return (
      <p className="notice notice-info" role="status">
        Dismissed {outcome.alias}. Its deploys stay recorded.
      </p>
    );
  const link = <Link to={`/services/${seg(outcome.service.id)}`}>{outcome.service.name}</Link>;
  const moved = count(outcome.deploys, 'earlier deploy');
  const belong = plural(outcome.deploys, 'belongs', 'belong');
  return (
    <p className="notice notice-info" role="status">
      {outcome.kind === 'created' ? (
        <>
          Created the service {link}; its {moved} now {belong} to it.
        </>
      ) : (
        <>
          Attached {outcome.alias} to {link}; its {moved} now {belong} to it.
        </>
      )}
    </p>
  );
}

export default function SuggestionsPage() {
  const { can } = useSession();
  const suggestions = useResource<{ items: Suggestion[] }>('/api/v1/suggestions');
  // Names to pick from when attaching an alias; the server also takes any other alias typed in.
  const services = useResource<Page<Service>>(can('write') ? '/api/v1/services' : null, { limit: 500 });
  const pages = useClientPages(suggestions.data?.items ?? [], 25);
  const [outcome, setOutcome] = useState<Outcome>();
  const { reload } = suggestions;
  const onEvent = useCallback(() => reload(), [reload]);
  useEventStream('suggestion.*', onEvent);

  const done = (result: Outcome) => {
    setOutcome(result);
    reload();
    if (result.kind === 'created') services.reload();
  };

  return (
    <>
      <PageHeader
        title="Suggestions"
        subtitle="Aliases that received deploys but match no service. Accept one to create its service, or attach it to a service you have."
      />
      {outcome ? <OutcomeNotice outcome={outcome} /> : null}
      <ErrorNotice error={suggestions.error} />
      {suggestions.loading && !suggestions.data ? <Loading /> : null}
      {suggestions.data && suggestions.data.items.length === 0 ? (
        <Empty>
          No suggestions: every alias that received deploys belongs to a <Link to="/services">service</Link>.
        </Empty>
      ) : null}
      {pages.items.length > 0 ? (
        <div className="table-wrap">
          <table aria-label="Suggestions">
            <thead>
              <tr>
                <th>Alias</th>
                <th>Deploys</th>
                <th className="hide-narrow">First seen</th>
                <th>Last seen</th>
                {can('write') ? <th>Actions</th> : null}
              </tr>
            </thead>
            <tbody>
              {pages.items.map((s) => (
                <SuggestionRow key={s.alias} suggestion={s} canWrite={can('write')} onDone={done} />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <Pager {...pages} />
      <datalist id="catalog-service-names">
        {services.data?.items.map((s) => (
          <option key={s.id} value={s.name} />
        ))}
      </datalist>
    </>
  );
}
