import { useState } from 'react';
import { ActionButton, Empty, ErrorNotice, Loading, Pager, StatusBadge, Time } from '../../components/ui';
import { api, seg } from '../../lib/api';
import { useSession } from '../../lib/session';
import type { Role } from '../../lib/types';
import { useListPages } from '../../lib/hooks';
import { MIN_PASSWORD, ROLE_HINT, ROLES } from './types';
import type { User } from './types';
import { useSubmit } from './use-submit';

/** People who sign in to the UI: create, change role, disable or enable, set a new password. */
export default function UsersTab() {
  const list = useListPages<User>('/api/v1/users');
  const [resetting, setResetting] = useState<string | null>(null);
  return (
    <>
      <CreateUser onCreated={list.reload} />
      <ErrorNotice error={list.error} />
      {list.loading && !list.data ? <Loading /> : null}
      {list.data && list.all.length === 0 ? <Empty>No users yet.</Empty> : null}
      {list.items.length > 0 ? (
        <div className="table-wrap">
          <table aria-label="Users">
            <thead>
              <tr>
                <th>Name</th>
                <th className="hide-narrow">Email</th>
                <th>Role</th>
                <th className="hide-narrow">Status</th>
                <th className="hide-narrow">Created</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((user) => (
                <UserRow
                  key={user.email}
                  user={user}
                  resetting={resetting === user.email}
                  onReset={() => setResetting(resetting === user.email ? null : user.email)}
                  onChanged={list.reload}
                />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <Pager {...list} />
    </>
  );
}

function UserRow({ user, resetting, onReset, onChanged }: { user: User; resetting: boolean; onReset(): void; onChanged(): void }) {
  const { session } = useSession();
  // Changing your own role or disabling yourself could lock the last admin out.
  const self = session?.user.email === user.email;
  const path = `/api/v1/users/${seg(user.email)}`;
  return (
    <>
      <tr data-user={user.email}>
        <td>
          {user.name}
          {self ? <span className="hint"> (you)</span> : null}
          <div className="hint integrations-narrow-only">{user.email}</div>
          {user.disabled ? (
            <div className="integrations-narrow-only">
              <StatusBadge status="disabled" />
            </div>
          ) : null}
        </td>
        <td className="hide-narrow">{user.email}</td>
        <td>
          <RoleSelect user={user} disabled={self} onChanged={onChanged} />
        </td>
        <td className="hide-narrow">{user.disabled ? <StatusBadge status="disabled" /> : <StatusBadge status="active" />}</td>
        <td className="hide-narrow">
          <Time iso={user.createdAt} />
        </td>
        <td>
          <div className="integrations-row-actions">
            {user.disabled ? (
              <ActionButton
                className="button-small"
                busyLabel="Enabling…"
                onAction={async () => {
                  await api.patch(path, { disabled: false });
                  onChanged();
                }}
              >
                Enable
              </ActionButton>
            ) : (
              <ActionButton
                className="button-small danger"
                busyLabel="Disabling…"
                disabled={self}
                confirm={`Disable ${user.email}? Their sessions end at once and they cannot sign in until enabled.`}
                onAction={async () => {
                  await api.patch(path, { disabled: true });
                  onChanged();
                }}
              >
                Disable
              </ActionButton>
            )}
            <button type="button" className="button-small" aria-expanded={resetting} onClick={onReset}>
              Reset password
            </button>
          </div>
        </td>
      </tr>
      {resetting ? (
        <tr className="integrations-detail-row">
          <td colSpan={6}>
            <ResetPassword user={user} onDone={onReset} />
          </td>
        </tr>
      ) : null}
    </>
  );
}

function RoleSelect({ user, disabled, onChanged }: { user: User; disabled: boolean; onChanged(): void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const change = async (role: Role) => {
    setBusy(true);
    setError(null);
    try {
      await api.patch(`/api/v1/users/${seg(user.email)}`, { role });
      onChanged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <label className="visually-hidden" htmlFor={`role-${user.email}`}>
        Role of {user.email}
      </label>
      <select
        id={`role-${user.email}`}
        value={user.role}
        disabled={disabled || busy}
        aria-busy={busy}
        onChange={(e) => void change(e.target.value as Role)}
      >
        {ROLES.map((r) => (
          <option key={r} value={r}>
            {r}
          </option>
        ))}
      </select>
      <ErrorNotice error={error} />
    </>
  );
}

function ResetPassword({ user, onDone }: { user: User; onDone(): void }) {
  const [password, setPassword] = useState('');
  const [done, setDone] = useState(false);
  const submit = useSubmit(async () => {
    await api.post(`/api/v1/users/${seg(user.email)}/password`, { password });
    setPassword('');
    setDone(true);
  });
  return (
    <form className="form-row" aria-label={`New password for ${user.email}`} onSubmit={submit.onSubmit}>
      <label>
        New password for {user.name}
        <input
          type="password"
          name="reset-password"
          autoComplete="new-password"
          required
          minLength={MIN_PASSWORD}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </label>
      <button type="submit" className="primary" disabled={submit.busy} aria-busy={submit.busy}>
        {submit.busy ? 'Setting…' : 'Set password'}
      </button>
      <button type="button" onClick={onDone}>
        Close
      </button>
      <ErrorNotice error={submit.error} />
      {done ? (
        <p className="notice notice-info" role="status">
          Password set. Their sessions have ended; give them the new password.
        </p>
      ) : null}
    </form>
  );
}

function CreateUser({ onCreated }: { onCreated(): void }) {
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('read');
  const [password, setPassword] = useState('');
  const [created, setCreated] = useState<string | null>(null);
  const submit = useSubmit(async () => {
    setCreated(null);
    const user = await api.post<User>('/api/v1/users', { email: email.trim(), name: name.trim(), role, password });
    setEmail('');
    setName('');
    setPassword('');
    setCreated(user.email);
    onCreated();
  });
  return (
    <section className="card" aria-labelledby="create-user-title">
      <h2 id="create-user-title" className="integrations-card-title">
        Add a user
      </h2>
      <form className="form-row" onSubmit={submit.onSubmit}>
        <label>
          Email
          <input type="email" name="user-email" autoComplete="off" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label>
          Name
          <input name="user-name" autoComplete="off" required value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label>
          Role
          <select name="user-role" value={role} onChange={(e) => setRole(e.target.value as Role)} aria-describedby="user-role-hint">
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
        <label>
          Initial password
          <input
            type="password"
            name="user-password"
            autoComplete="new-password"
            required
            minLength={MIN_PASSWORD}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        <button type="submit" className="primary" disabled={submit.busy} aria-busy={submit.busy}>
          {submit.busy ? 'Adding…' : 'Add user'}
        </button>
      </form>
      <p className="hint" id="user-role-hint">
        {role}: {ROLE_HINT[role]}. Passwords need at least {MIN_PASSWORD} characters.
      </p>
      <ErrorNotice error={submit.error} />
      {created ? (
        <div className="notice notice-info" role="status">
          Added {created}. Give them the password; they can change it under Settings → Your account.
        </div>
      ) : null}
    </section>
  );
}
