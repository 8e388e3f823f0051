import { useState } from 'react';
import { ActionButton } from '../../components/ui';
import { api, seg } from '../../lib/api';
import { useSession } from '../../lib/session';
import { TIERS } from '../services/catalog-types';
import type { EnvironmentSummary, Tier } from '../services/catalog-types';

const TIER_HELP: Record<Tier, string> = {
  production: 'counts in the DORA insights by default',
  staging: 'pre-production',
  development: 'for developers',
  other: 'anything else',
};

/** An environment's tier; the write role may set it (DORA counts production-tier environments). */
export function EnvironmentTier({ environment, onChanged }: { environment: EnvironmentSummary; onChanged(): void }) {
  const { can } = useSession();
  const current = environment.tier ?? 'other';
  const [tier, setTier] = useState<Tier>(current);
  const save = async () => {
    await api.patch(`/api/v1/environments/${seg(environment.name)}`, { tier });
    onChanged();
  };
  return (
    <section aria-labelledby="environment-tier" className="card">
      <h2 id="environment-tier" className="catalog-card-title">
        Tier
      </h2>
      <p>
        <span className="badge badge-info">{current}</span>{' '}
        <span className="muted">
          {environment.tierSource === 'set' ? 'set by hand' : 'inferred from the name'}; {TIER_HELP[current]}.
        </span>
      </p>
      {can('write') ? (
        <div className="form-row">
          <label>
            Set the tier
            <select name="tier" value={tier} onChange={(e) => setTier(e.target.value as Tier)}>
              {TIERS.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
          </label>
          <ActionButton
            className="primary"
            disabled={tier === current && environment.tierSource === 'set'}
            onAction={save}
            busyLabel="Saving…"
          >
            Save tier
          </ActionButton>
        </div>
      ) : null}
      {can('write') && tier === 'production' && environment.tierSource !== 'set' ? (
        <p className="hint">
          Once any environment is set to production, only the environments set to production count as production in the insights.
        </p>
      ) : null}
    </section>
  );
}
