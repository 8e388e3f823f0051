import { useState } from 'react';
import { ErrorNotice } from '../../components/ui';
import { api } from '../../lib/api';
import { useSession } from '../../lib/session';
import { MIN_PASSWORD, ROLE_HINT } from './types';
import { useSubmit } from './use-submit';

/** Who you are signed in as, and changing your own password. */
export default function AccountTab() {
  const { session } = useSession();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [done, setDone] = useState(false);
  const submit = useSubmit(async () => {
    setDone(false);
    if (next !== repeat) throw new Error('The new password and its repetition differ.');
    await api.post('/auth/password', { currentPassword: current, newPassword: next });
    setCurrent('');
    setNext('');
    setRepeat('');
    setDone(true);
  });
  if (!session) return null;
  const { user } = session;
  return (
    <>
      <section className="card" aria-labelledby="account-title">
        <h2 id="account-title" className="integrations-card-title">
          Signed in as
        </h2>
        <dl className="kv">
          <dt>Name</dt>
          <dd>{user.name}</dd>
          <dt>Email</dt>
          <dd>{user.email}</dd>
          <dt>Role</dt>
          <dd>
            <span className="badge">{user.role}</span> <span className="hint">{ROLE_HINT[user.role]}</span>
          </dd>
        </dl>
      </section>
      <section className="card" aria-labelledby="password-title">
        <h2 id="password-title" className="integrations-card-title">
          Change your password
        </h2>
        <form className="form" onSubmit={submit.onSubmit}>
          {/* The account name lets password managers store the new password against it. */}
          <input type="email" name="username" autoComplete="username" value={user.email} readOnly hidden />
          <label>
            Current password
            <input
              type="password"
              name="current-password"
              autoComplete="current-password"
              required
              value={current}
              onChange={(e) => setCurrent(e.target.value)}
            />
          </label>
          <label>
            New password
            <input
              type="password"
              name="new-password"
              autoComplete="new-password"
              required
              minLength={MIN_PASSWORD}
              value={next}
              onChange={(e) => setNext(e.target.value)}
              aria-describedby="new-password-hint"
            />
          </label>
          <p className="hint" id="new-password-hint">
            At least {MIN_PASSWORD} characters. A few unrelated words make a good one.
          </p>
          <label>
            Repeat the new password
            <input
              type="password"
              name="repeat-password"
              autoComplete="new-password"
              required
              minLength={MIN_PASSWORD}
              value={repeat}
              onChange={(e) => setRepeat(e.target.value)}
            />
          </label>
          <ErrorNotice error={submit.error} />
          {done ? (
            <div className="notice notice-info" role="status">
              Your password is changed.
            </div>
          ) : null}
          <div className="form-row">
            <button type="submit" className="primary" disabled={submit.busy} aria-busy={submit.busy}>
              {submit.busy ? 'Changing…' : 'Change password'}
            </button>
          </div>
        </form>
      </section>
    </>
  );
}
