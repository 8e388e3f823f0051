import type { ReactNode } from 'react';
import './facts.css';

/** A label, its value, and whether it needs a whole line (an error message). */
export type Fact = [string, ReactNode] | [string, ReactNode, 'wide'];

/** Short label/value pairs in as many columns as fit, so a summary stays a few lines tall. */
export function Facts({ label, facts }: { label: string; facts: Array<Fact | null | false> }) {
  return (
    <section className="card" aria-label={label}>
      <dl className="runs-facts">
        {facts
          .filter((f): f is Fact => Boolean(f))
          .map(([term, value, wide]) => (
            <div key={term} className={wide ? 'runs-facts-wide' : undefined}>
              <dt>{term}</dt>
              <dd>{value}</dd>
            </div>
          ))}
      </dl>
    </section>
  );
}
