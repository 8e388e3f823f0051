import { useState } from 'react';
import type { FormEvent } from 'react';
import { ErrorNotice } from '../../components/ui';
import { api } from '../../lib/api';
import type { Service } from '../../lib/types';

/** "a, b ,c" → ["a", "b", "c"]: aliases and tags are typed as comma-separated lists. */
export const splitList = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** Creates a service; earlier deploys under its name or aliases attach to it. */
export function NewServiceForm({ onCreated, onCancel }: { onCreated(service: Service): void; onCancel(): void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const text = (key: string) => String(form.get(key) ?? '').trim();
    setBusy(true);
    setError(null);
    try {
      const service = await api.post<Service>('/api/v1/services', {
        name: text('name'),
        aliases: splitList(text('aliases')),
        owner: text('owner') || null,
        description: text('description') || null,
        tags: splitList(text('tags')),
      });
      onCreated(service);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="card form" aria-label="New service" onSubmit={(e) => void submit(e)}>
      <h2 className="catalog-card-title">New service</h2>
      <label>
        Name
        <input name="name" required maxLength={200} autoComplete="off" />
      </label>
      <label>
        Aliases
        <input name="aliases" placeholder="cart, shopping_cart" autoComplete="off" aria-describedby="new-service-aliases-hint" />
      </label>
      <span id="new-service-aliases-hint" className="hint">
        Other names deploys use for it, comma-separated. Its name is always one.
      </span>
      <label>
        Owner
        <input name="owner" placeholder="team or person" maxLength={200} />
      </label>
      <label>
        Tags
        <input name="tags" placeholder="payments, tier-1" />
      </label>
      <label>
        Description
        <textarea name="description" rows={2} maxLength={10_000} />
      </label>
      <ErrorNotice error={error} />
      <div className="form-row">
        <button type="submit" className="primary" disabled={busy} aria-busy={busy}>
          {busy ? 'Creating…' : 'Create service'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
