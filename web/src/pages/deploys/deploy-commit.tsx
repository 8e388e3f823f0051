import { CopyButton, Time } from '../../components/ui';
import type { Commit } from '../../lib/types';

/** Commit dates arrive as the pipeline sent them; show them as times when they parse. */
function CommitTime({ value }: { value: string | null }) {
  if (!value) return <span className="muted">—</span>;
  return Number.isNaN(Date.parse(value)) ? <>{value}</> : <Time iso={new Date(value).toISOString()} />;
}

function person(name: string | null, email: string | null) {
  if (!name && !email) return <span className="muted">—</span>;
  return (
    <>
      {name ?? email}
      {name && email ? <span className="muted"> &lt;{email}&gt;</span> : null}
    </>
  );
}

export function CommitCard({ commit }: { commit: Commit | null }) {
  return (
    <section aria-labelledby="deploy-commit" className="card">
      <h2 id="deploy-commit" className="catalog-card-title">
        Commit
      </h2>
      {!commit ? (
        <p className="muted">The deploy did not say which commit it shipped.</p>
      ) : (
        <dl className="kv">
          <dt>SHA</dt>
          <dd>
            {commit.sha ? (
              <>
                <span className="sha">{commit.sha}</span> <CopyButton text={commit.sha} label="Copy SHA" />
              </>
            ) : (
              <span className="muted">—</span>
            )}
          </dd>
          <dt>Message</dt>
          <dd className="catalog-commit-message">{commit.message ?? <span className="muted">—</span>}</dd>
          <dt>Branch</dt>
          <dd>{commit.branch ?? <span className="muted">—</span>}</dd>
          <dt>Author</dt>
          <dd>{person(commit.authorName, commit.authorEmail)}</dd>
          <dt>Authored</dt>
          <dd>
            <CommitTime value={commit.authoringDate} />
          </dd>
          <dt>Committer</dt>
          <dd>{person(commit.committerName, commit.committerEmail)}</dd>
          <dt>Committed</dt>
          <dd>
            <CommitTime value={commit.date} />
          </dd>
        </dl>
      )}
    </section>
  );
}
