import { useEffect, useState } from 'react';
import { api } from '../../lib/api';
import { ErrorNotice } from '../../components/ui';
import type { Doc } from './document';
import type { DryRunSubject, Validation } from './types';
import { useDebounced } from './use-debounced';
import { count } from '../../lib/plural';

/** What to check: the document the form holds, or the YAML text as typed (so YAML syntax errors come from the server too). */
export type Checkable = { document: Doc } | { yaml: string };

/** Asks the server to check a document (and dry run it when a subject is given); never saves. */
export function validate(body: Checkable, subject?: DryRunSubject): Promise<Validation> {
  return api.post<Validation>('/api/v1/reactions/validate', { ...body, ...subject });
}

export interface LiveValidation {
  result: Validation | null;
  error: unknown;
  /** True from a change until the answer for it arrived. */
  checking: boolean;
}

/**
 * The server's verdict on `body`, asked again each time it settles after a change; stale answers
 * are dropped. `null` (nothing to check yet, e.g. while the reaction loads) asks nothing, so the
 * first verdict shown is for the document itself.
 */
export function useLiveValidation(body: Checkable | null, delayMs = 400): LiveValidation {
  const key = body === null ? null : JSON.stringify(body);
  const settled = useDebounced(key, delayMs);
  const [answer, setAnswer] = useState<{ key: string; result: Validation | null; error: unknown } | null>(null);

  useEffect(() => {
    if (settled === null) return;
    let current = true;
    validate(JSON.parse(settled) as Checkable).then(
      (result) => current && setAnswer({ key: settled, result, error: null }),
      (error: unknown) => current && setAnswer({ key: settled, result: null, error }),
    );
    return () => {
      current = false;
    };
  }, [settled]);

  return { result: answer?.result ?? null, error: answer?.error ?? null, checking: answer?.key !== key };
}

/**
 * The live check next to the editor: the server's problems, each as `path: message`. `quiet`
 * (a new reaction nobody has typed in yet) shows none: a blank form is not a mistake.
 */
export function ProblemsPanel({ live, quiet = false }: { live: LiveValidation; quiet?: boolean }) {
  const { result, error, checking } = live;
  if (quiet) {
    return (
      <section className="card reactions-problems" aria-labelledby="problems-title">
        <div className="reactions-panel-head">
          <h2 id="problems-title">Checks</h2>
        </div>
        <p className="muted">The document is checked as you fill it in.</p>
      </section>
    );
  }
  return (
    <section className="card reactions-problems" aria-labelledby="problems-title">
      <div className="reactions-panel-head">
        <h2 id="problems-title">Checks</h2>
        {checking ? (
          <span className="muted" role="status">
            Checking…
          </span>
        ) : null}
      </div>
      <div aria-live="polite">
        {error ? <ErrorNotice error={error} /> : null}
        {result?.valid ? <p className="reactions-valid">The document is valid.</p> : null}
        {result?.valid && result.warnings.length > 0 ? (
          <div className="notice notice-warn" role="note">
            {result.warnings.map((w) => (
              <p key={w}>{w}: you can check and dry-run it, and an admin can save it.</p>
            ))}
          </div>
        ) : null}
        {result && !result.valid ? (
          <>
            <p>
              <strong>{count(result.problems.length, 'problem')}</strong> (saving is refused until fixed):
            </p>
            <ul className="reactions-problem-list" aria-label="Problems">
              {result.problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          </>
        ) : null}
        {!result && !error ? <p className="muted">Checking the document…</p> : null}
      </div>
    </section>
  );
}
