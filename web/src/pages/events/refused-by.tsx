// The server's own naming of the refusing part: the CLI's `events why` prints the same words.
import { Fragment } from 'react';
import { refusedAt } from '../../../../src/core/reactions/refused-by.js';
import type { RefusedBy } from './types';
import './events.css';

/**
 * Where in the reaction document the refusing part is written, as code (`on.filter.environment`),
 * wrapping only after a dot in a narrow column, never inside a key.
 */
export function RefusedByLabel({ refusedBy }: { refusedBy: RefusedBy }) {
  const parts = refusedAt(refusedBy).split('.');
  return (
    <code className="events-type refused-by">
      {parts.map((part, i) => (
        <Fragment key={i}>
          <span>{i < parts.length - 1 ? `${part}.` : part}</span>
          {i < parts.length - 1 ? <wbr /> : null}
        </Fragment>
      ))}
    </code>
  );
}
