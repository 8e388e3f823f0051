import { useState } from 'react';
import { ActionButton, CopyButton, Empty, ErrorNotice, Loading, Pager, StatusBadge, Time } from '../../components/ui';
import { api, seg } from '../../lib/api';
import type { Role } from '../../lib/types';
import { useListPages } from '../../lib/hooks';
import { ROLE_HINT, ROLES } from './types';
import type { Token, TokenCreated } from './types';
import { useSubmit } from './use-submit';

/** API tokens for the CLI, CI and scripts: created with the secret shown once, revoked. */
export default function TokensTab() {
  const list = useListPages<Token>('/api/v1/tokens');
  const [created, setCreated] = useState<TokenCreated | null>(null);
  return (
    <>
      <CreateToken
        onCreated={(token) => {
          setCreated(token);
          list.reload();
        }}
      />
      {created ? <NewToken token={created} onDone={() => setCreated(null)} /> : null}
      <ErrorNotice error={list.error} />
      {list.loading && !list.data ? <Loading /> : null}
      {list.data && list.all.length === 0 ? <Empty>No API tokens.</Empty> : null}
      {list.items.length > 0 ? (
        <div className="table-wrap">
          <table aria-label="API tokens">
            <thead>
              <tr>
                <th>Name</th>
                <th>Role</th>
                <th>Status</th>
                <th className="hide-narrow">Created</th>
                <th className="hide-narrow">Last used</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((token) => (
                <tr key={token.id} data-token={token.name}>
                  <td>{token.name}</td>
                  <td>
                    <span className="badge">{token.role}</span>
                  </td>
                  <td>{token.revokedAt ? <StatusBadge status="disabled" label="revoked" /> : <StatusBadge status="active" />}</td>
                  <td className="hide-narrow">
                    <Time iso={token.createdAt} />
                  </td>
                  <td className="hide-narrow">
                    {token.lastUsedAt ? <Time iso={token.lastUsedAt} /> : <span className="muted">never</span>}
                  </td>
                  <td>
                    {token.revokedAt ? null : (
                      <ActionButton
                        className="button-small danger"
                        busyLabel="Revoking…"
                        confirm={`Revoke the token "${token.name}"? Anything using it is refused from now on.`}
                        onAction={async () => {
                          await api.delete(`/api/v1/tokens/${seg(token.id)}`);
                          list.reload();
                        }}
                      >
                        Revoke
                      </ActionButton>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <Pager {...list} />
    </>
  );
}

/** The secret exists in the create answer only: shown this once, with a copy button. */
function NewToken({ token, onDone }: { token: TokenCreated; onDone(): void }) {
  return (
    <section className="card integrations-once" aria-label={`Token ${token.name} created`}>
      <h3>Token {token.name} created</h3>
      <span className="integrations-url">
        <code data-new-token>{token.token}</code>
        <CopyButton text={token.token} label="Copy token" />
      </span>
      <p className="notice notice-warn">
        This is the only time the token is shown. Copy it now, e.g. into your CI's secrets as <code>SHIPLINE_TOKEN</code>.
      </p>
      <button type="button" onClick={onDone}>
        Done, I have copied it
      </button>
    </section>
  );
}

function CreateToken({ onCreated }: { onCreated(token: TokenCreated): void }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('write');
  const submit = useSubmit(async () => {
    onCreated(await api.post<TokenCreated>('/api/v1/tokens', { name: name.trim(), role }));
    setName('');
  });
  return (
    <section className="card" aria-labelledby="create-token-title">
      <h2 id="create-token-title" className="integrations-card-title">
        Create an API token
      </h2>
      <form className="form-row" onSubmit={submit.onSubmit}>
        <label>
          Token name
          <input name="token-name" required maxLength={200} placeholder="e.g. ci" value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label>
          Role
          <select name="token-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="primary" disabled={submit.busy} aria-busy={submit.busy}>
          {submit.busy ? 'Creating…' : 'Create token'}
        </button>
      </form>
      <p className="hint">
        {role}: {ROLE_HINT[role]}. The CLI reads the token from <code>SHIPLINE_TOKEN</code>.
      </p>
      <ErrorNotice error={submit.error} />
    </section>
  );
}
