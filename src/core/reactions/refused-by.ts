/** The part of a reaction that refused an event, in the order they are checked. */
export type RefusingPart = 'disabled' | 'event' | 'own-run' | 'filter' | 'schedule' | 'trigger' | 'condition';

/**
 * What refused, structured: the part; for `filter` the field path and for `trigger` the option
 * (`connection`, `project`, `categories`...) as `key`; what the reaction accepts there
 * (`expected`) and what the event holds there (`actual`, absent when it holds nothing). Values are
 * the reaction's and the event's own, bounded in size (shownValue); nothing else is shown.
 */
export interface RefusedBy {
  part: RefusingPart;
  key?: string;
  expected?: unknown;
  actual?: unknown;
}

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
