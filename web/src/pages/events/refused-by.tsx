import type { RefusedBy } from './types';

/**
 * Where in the reaction document the refusing part is written (`on.filter.environment`,
 * `on.connection`, `on.if`...): what to look at, or change, when a reaction did not start.
 */
export function refusedAt(refusedBy: RefusedBy): string {
  switch (refusedBy.part) {
    case 'disabled':
      return 'enabled';
    case 'event':
      return 'on.event';
    case 'own-run':
      return 'its own run';
    case 'filter':
      return `on.filter.${refusedBy.key ?? ''}`;
    case 'schedule':
      return 'on.schedule';
    case 'trigger':
      return `on.${refusedBy.key ?? ''}`;
    case 'condition':
      return 'on.if';
  }
}

/** The refusing part as code. */
export function RefusedByLabel({ refusedBy }: { refusedBy: RefusedBy }) {
  return <code className="refused-by">{refusedAt(refusedBy)}</code>;
}
