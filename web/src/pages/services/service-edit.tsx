import { useState } from 'react';
import type { FormEvent } from 'react';
import { ErrorNotice } from '../../components/ui';
import { api, seg } from '../../lib/api';
import type { Service } from '../../lib/types';
import { splitList } from './service-form';

/** Changes a service's owner, tags and description (its aliases have their own control). */
export function EditServiceForm({ service, onSaved, onCancel }: { service: Service; onSaved(service: Service): void; onCancel(): void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const text = (key: string) => String(form.get(key) ?? '').trim();
    setBusy(true);
    setError(null);
    try {
      onSaved(
        await api.patch<Service>(`/api/v1/services/${seg(service.id)}`, {
          owner: text('owner') || null,
          description: text('description') || null,
          tags: splitList(text('tags')),
        }),
      );
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="card form" aria-label={`Edit ${service.name}`} onSubmit={(e) => void submit(e)}>
      <label>
        Owner
        <input name="owner" defaultValue={service.owner ?? ''} maxLength={200} />
      </label>
      <label>
        Tags
        <input name="tags" defaultValue={service.tags.join(', ')} placeholder="comma-separated" />
      </label>
      <label>
        Description
        <textarea name="description" rows={2} defaultValue={service.description ?? ''} maxLength={10_000} />
      </label>
      <ErrorNotice error={error} />
      <div className="form-row">
        <button type="submit" className="primary" disabled={busy} aria-busy={busy}>
          {busy ? 'Saving…' : 'Save'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
