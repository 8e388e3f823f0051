// The server's own naming of the refusing part: the CLI's `events why` prints the same words.
import { refusedAt } from '../../../../src/core/reactions/refused-by.js';
import type { RefusedBy } from './types';

/** Where in the reaction document the refusing part is written, as code (`on.filter.environment`). */
export function RefusedByLabel({ refusedBy }: { refusedBy: RefusedBy }) {
  return <code className="refused-by">{refusedAt(refusedBy)}</code>;
}
