import { useState } from 'react';
import type { FormEvent } from 'react';
import { Navigate, useSearchParams } from 'react-router';
import { ErrorNotice, Loading } from '../components/ui';
import { useSession } from '../lib/session';
import { useSetupNeeded } from '../lib/setup';

export default function SignInPage() {
  const { session, signIn } = useSession();
  const [params] = useSearchParams();
  const setupNeeded = useSetupNeeded();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const next = params.get('next');
  // Only paths within Shipline: `next` must not send a signed-in user to another site.
  const target = next && next.startsWith('/') && !next.startsWith('//') ? next : '/deploys';

  if (session) return <Navigate to={target} replace />;
  // A fresh Shipline has no account to sign in with: its first admin is created on the setup page.
  if (setupNeeded === undefined) return <Loading label="Checking this Shipline…" />;
  if (setupNeeded) return <Navigate to="/setup" replace />;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(email, password);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="sign-in card">
      <h1>
        <span className="brand-mark" aria-hidden="true" /> Sign in to Shipline
      </h1>
      <form className="form" onSubmit={(e) => void submit(e)}>
        <label>
          Email
          <input
            type="email"
            name="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            autoFocus
          />
        </label>
        <label>
          Password
          <input
            type="password"
            name="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        <ErrorNotice error={error} />
        <button type="submit" className="primary" disabled={busy} aria-busy={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="hint">
          Accounts are created with <code>shipline users create</code>.
        </p>
      </form>
    </main>
  );
}
