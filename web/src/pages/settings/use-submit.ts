import { useState } from 'react';
import type { FormEvent } from 'react';

/** A form's submit: progress while the request runs, the server's error if it fails. */
export function useSubmit(action: () => Promise<void>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    action()
      .catch(setError)
      .finally(() => setBusy(false));
  };
  return { busy, error, onSubmit, setError };
}
