import type { Page } from '../../lib/api';
import { useResource } from '../../lib/hooks';
import type { Service } from '../../lib/types';
import type { EnvironmentSummary } from '../services/catalog-types';

export const FILTERS = ['service', 'team', 'environment', 'from', 'to', 'bucket'] as const;
export type Filter = (typeof FILTERS)[number];
export type Filters = Partial<Record<Filter, string>>;

const DAY_MS = 86_400_000;

/** The report's query: dates are whole UTC days (buckets are UTC too) and `to` includes its day. */
export function reportQuery(f: Filters) {
  const day = (date: string | undefined, plus = 0) => (date ? new Date(Date.parse(`${date}T00:00:00Z`) + plus).toISOString() : undefined);
  return { service: f.service, team: f.team, environment: f.environment, bucket: f.bucket, from: day(f.from), to: day(f.to, DAY_MS) };
}

/** A text filter applied when the reader leaves the field or presses Enter (not on every key). */
function TextFilter({
  name,
  label,
  value,
  placeholder,
  list,
  onChange,
}: {
  name: Filter;
  label: string;
  value: string | undefined;
  placeholder: string;
  list?: string;
  onChange(name: Filter, value: string): void;
}) {
  return (
    <label>
      {label}
      <input
        name={name}
        defaultValue={value}
        placeholder={placeholder}
        list={list}
        autoComplete="off"
        onBlur={(e) => onChange(name, e.target.value.trim())}
        onKeyDown={(e) => e.key === 'Enter' && onChange(name, e.currentTarget.value.trim())}
      />
    </label>
  );
}

export function InsightsFilters({
  filters,
  onChange,
  onClear,
}: {
  filters: Filters;
  onChange(name: Filter, value: string): void;
  onClear(): void;
}) {
  // Names to choose from; any other name, alias or spelling typed in works as well.
  const services = useResource<Page<Service>>('/api/v1/services', { limit: 500 });
  const environments = useResource<{ items: EnvironmentSummary[] }>('/api/v1/environments');
  return (
    <form className="filters" role="search" aria-label="Filter the insights" onSubmit={(e) => e.preventDefault()}>
      <TextFilter
        name="service"
        label="Service"
        value={filters.service}
        placeholder="every service"
        list="insights-services"
        onChange={onChange}
      />
      <TextFilter name="team" label="Team" value={filters.team} placeholder="every team" onChange={onChange} />
      <TextFilter
        name="environment"
        label="Environment"
        value={filters.environment}
        placeholder="production tier"
        list="insights-environments"
        onChange={onChange}
      />
      <label>
        From
        <input type="date" name="from" value={filters.from ?? ''} onChange={(e) => onChange('from', e.target.value)} />
      </label>
      <label>
        To
        <input type="date" name="to" value={filters.to ?? ''} onChange={(e) => onChange('to', e.target.value)} />
      </label>
      <label>
        Per
        <select name="bucket" value={filters.bucket ?? 'week'} onChange={(e) => onChange('bucket', e.target.value)}>
          <option value="day">day</option>
          <option value="week">week</option>
          <option value="month">month</option>
        </select>
      </label>
      {FILTERS.some((k) => filters[k]) ? (
        <button type="button" onClick={onClear}>
          Clear
        </button>
      ) : null}
      <datalist id="insights-services">
        {services.data?.items.map((s) => (
          <option key={s.id} value={s.name} />
        ))}
      </datalist>
      <datalist id="insights-environments">
        {environments.data?.items.map((e) => (
          <option key={e.name} value={e.name}>
            {e.tier}
          </option>
        ))}
      </datalist>
    </form>
  );
}
