import { useState } from 'react';
import type { FormEvent } from 'react';
import { Navigate } from 'react-router';
import { ErrorNotice, Loading } from '../components/ui';
import { useSession } from '../lib/session';
import { useSetupNeeded } from '../lib/setup';

const PASSWORD_MIN_CHARS = 12;

/** The first run: the holder of the setup code printed at start creates the first admin and is signed in. */
export default function SetupPage() {
  const { session, setUp } = useSession();
  const needed = useSetupNeeded();
  const [form, setForm] = useState({ code: '', name: '', email: '', password: '', repeat: '' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  if (session) return <Navigate to="/deploys" replace />;
  if (needed === undefined) return <Loading label="Checking this Shipline…" />;
  // Set up already (here or in another tab): accounts exist, so this page has nothing to do.
  if (!needed) return <Navigate to="/sign-in" replace />;

  const field = (name: keyof typeof form) => ({
    name,
    value: form[name],
    onChange: (e: { target: { value: string } }) => setForm({ ...form, [name]: e.target.value }),
  });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    if (form.password !== form.repeat) return setError(new Error('The two passwords differ'));
    setBusy(true);
    try {
      await setUp({ code: form.code.trim(), name: form.name, email: form.email, password: form.password });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="sign-in card">
      <h1>
        <span className="brand-mark" aria-hidden="true" /> Set up Shipline
      </h1>
      <p className="hint">
        Create the first admin account. The setup code is in the output of <code>shipline start</code> (or <code>npm start</code>), on the
        line that begins <q>First run</q>; it works once, until an account exists.
      </p>
      <form className="form" onSubmit={(e) => void submit(e)}>
        <label>
          Setup code
          <input {...field('code')} autoComplete="off" spellCheck={false} required autoFocus placeholder="XXXX-XXXX-XXXX-XXXX-XXXX" />
        </label>
        <label>
          Name
          <input {...field('name')} autoComplete="name" required />
        </label>
        <label>
          Email
          <input {...field('email')} type="email" autoComplete="username" required />
        </label>
        <label>
          Password
          <input {...field('password')} type="password" autoComplete="new-password" minLength={PASSWORD_MIN_CHARS} required />
        </label>
        <label>
          Repeat the password
          <input {...field('repeat')} type="password" autoComplete="new-password" required />
        </label>
        <ErrorNotice error={error} />
        <button type="submit" className="primary" disabled={busy} aria-busy={busy}>
          {busy ? 'Creating…' : 'Create admin account'}
        </button>
        <p className="hint">
          At least {PASSWORD_MIN_CHARS} characters. More accounts are added later in Settings or with <code>shipline users create</code>.
        </p>
      </form>
    </main>
  );
}
