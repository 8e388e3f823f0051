// Small building blocks every page uses, so lists, errors and progress look and behave alike.
import { useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import { ApiError } from '../lib/api';
import type { StreamState } from '../lib/event-stream';

export function PageHeader({ title, children, subtitle }: { title: ReactNode; subtitle?: ReactNode; children?: ReactNode }) {
  useEffect(() => {
    if (typeof title === 'string') document.title = `${title} · Shipline`;
  }, [title]);
  return (
    <header className="page-header">
      <div>
        <h1>{title}</h1>
        {subtitle ? <p className="muted">{subtitle}</p> : null}
      </div>
      {children ? <div className="page-actions">{children}</div> : null}
    </header>
  );
}

/** The server's message for an error (its JSON `error.message`), with any problems listed. */
export function ErrorNotice({ error }: { error: unknown }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  const problems = error instanceof ApiError ? error.problems : [];
  return (
    <div className="notice notice-error" role="alert">
      <strong>{message}</strong>
      {problems.length > 0 && problems.join('; ') !== message ? (
        <ul>
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

/** Previous/next for a paginated list; `labels` for lists not ordered by time (default newer/older). */
export function Pager({
  page,
  hasPrevious,
  hasNext,
  previous,
  next,
  loading,
  labels = ['← Newer', 'Older →'],
}: {
  page: number;
  hasPrevious: boolean;
  hasNext: boolean;
  previous(): void;
  next(): void;
  loading?: boolean;
  labels?: [string, string];
}) {
  if (!hasPrevious && !hasNext) return null;
  return (
    <nav className="pager" aria-label="Pagination">
      <button type="button" onClick={previous} disabled={!hasPrevious || loading}>
        {labels[0]}
      </button>
      <span className="muted">Page {page}</span>
      <button type="button" onClick={next} disabled={!hasNext || loading}>
        {labels[1]}
      </button>
    </nav>
  );
}

const STATUS_TONE: Record<string, string> = {
  succeeded: 'good',
  success: 'good',
  ready: 'good',
  approved: 'good',
  ok: 'good',
  enabled: 'good',
  active: 'good',
  failed: 'bad',
  error: 'bad',
  rejected: 'bad',
  timedout: 'bad',
  disabled: 'muted',
  cancelled: 'muted',
  canceled: 'muted',
  running: 'info',
  started: 'info',
  executing: 'info',
  queued: 'info',
  pending: 'info',
  waiting: 'warn',
  'waiting-approval': 'warn',
};

export function StatusBadge({ status, label }: { status: string; label?: string }) {
  const tone = STATUS_TONE[status.toLowerCase()] ?? 'neutral';
  return <span className={`badge badge-${tone}`}>{label ?? status}</span>;
}

const RELATIVE = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const ABSOLUTE = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const SHORT = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'short' });

export function relativeTime(iso: string, now = Date.now()): string {
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return RELATIVE.format(seconds, 'second');
  if (abs < 2700) return RELATIVE.format(Math.round(seconds / 60), 'minute');
  if (abs < 79200) return RELATIVE.format(Math.round(seconds / 3600), 'hour');
  if (abs < 2592000) return RELATIVE.format(Math.round(seconds / 86400), 'day');
  return SHORT.format(new Date(iso));
}

/** A time shown relative ("3 minutes ago"), exact on hover and to screen readers via datetime. */
export function Time({ iso }: { iso: string | null | undefined }) {
  const [, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((t) => t + 1), 30_000);
    return () => clearInterval(timer);
  }, []);
  if (!iso) return <span className="muted">—</span>;
  return (
    <time dateTime={iso} title={ABSOLUTE.format(new Date(iso))}>
      {relativeTime(iso)}
    </time>
  );
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return minutes < 60 ? `${minutes} min ${Math.round((ms % 60_000) / 1000)} s` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // Clipboard refused (plain http, no permission): select-and-copy fallback.
      const area = document.createElement('textarea');
      area.value = text;
      document.body.append(area);
      area.select();
      document.execCommand('copy');
      area.remove();
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };
  return (
    // The accessible name is the label alone: the text may be a credential (a token, a webhook key).
    <button type="button" className="button-small" onClick={() => void copy()}>
      {copied ? 'Copied' : label}
    </button>
  );
}

export function JsonView({ value, label }: { value: unknown; label?: string }) {
  return (
    <pre className="json" aria-label={label} tabIndex={0}>
      {JSON.stringify(value, null, 2)}
    </pre>
  );
}

/** A button that runs an async action, shows progress while it runs and the server's error if it fails. */
export function ActionButton({
  onAction,
  children,
  className,
  disabled,
  confirm,
  busyLabel,
}: {
  onAction(): Promise<unknown>;
  children: ReactNode;
  className?: string;
  disabled?: boolean;
  confirm?: string;
  busyLabel?: string;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async () => {
    if (confirm && !window.confirm(confirm)) return;
    setBusy(true);
    setError(null);
    try {
      await onAction();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <span className="action-button">
      <button type="button" className={className} disabled={disabled || busy} aria-busy={busy} onClick={() => void run()}>
        {busy ? (busyLabel ?? 'Working…') : children}
      </button>
      {error ? <ErrorNotice error={error} /> : null}
    </span>
  );
}

const STREAM_LABEL: Record<StreamState, string> = { live: 'Live', connecting: 'Connecting…', reconnecting: 'Reconnecting…' };

/** Whether a live list is receiving: the state of the tab's event stream, or paused. */
export function LiveDot({ state, paused = false }: { state: StreamState; paused?: boolean }) {
  return (
    <span className="live-dot" data-state={paused ? 'paused' : state} aria-live="polite">
      {paused ? 'Paused' : STREAM_LABEL[state]}
    </span>
  );
}
