import { globMatches } from '../../core/reactions/matching.js';
import type { ReactionSpec } from '../../core/reactions/document.js';
import {
  DEPLOYMENT_EVENT_TYPES,
  DEPLOYMENT_PROCESS_CATEGORIES,
  eventTypesOfCategory,
  LIFECYCLE_EVENT_TYPES,
  OTHER_EVENT_TYPE,
} from './payload.js';
import { triggerCategories } from './trigger.js';

/** Every category: Octopus reads an empty EventCategories filter as "any". */
export const ALL = 'all' as const;
export type Needed = Set<string> | typeof ALL;

const DEPLOYMENT_CATEGORIES = Object.keys(DEPLOYMENT_EVENT_TYPES);
/** The categories with a type of their own: what a reaction on `octopus.machine.*` (say) needs without naming any. */
const TYPED_CATEGORIES = [...DEPLOYMENT_CATEGORIES, ...Object.keys(LIFECYCLE_EVENT_TYPES), ...DEPLOYMENT_PROCESS_CATEGORIES];
const canBecome = (pattern: string, category: string) => eventTypesOfCategory(category).some((type) => globMatches(pattern, type));
/** What a waiting Deploy Release step needs to hear about. */
export const FINISHED_CATEGORIES = ['DeploymentSucceeded', 'DeploymentFailed'];

function filterCategories(on: ReactionSpec['on']): string[] | undefined {
  const values = on.filter.category ?? on.filter.eventType;
  return values?.filter((v): v is string => typeof v === 'string');
}

/**
 * The Octopus event categories a connection's subscription must carry: those the enabled
 * reactions listening to it can match, the four deployment categories when the connection feeds
 * the deploy catalog, and the finished ones while a Deploy Release step waits. A reaction on a
 * typed event with no category named needs the categories that become it (`octopus.machine.*`:
 * the six machine ones; `octopus.deployment_process.changed`: Modified); one on `octopus.event`
 * (or `*`) with no category named needs them all.
 */
export function neededCategories(
  specs: readonly ReactionSpec[],
  connectionName: string,
  options: { trackDeploys: boolean; waiting: boolean },
): Needed {
  const needed = new Set<string>();
  if (options.trackDeploys) for (const c of DEPLOYMENT_CATEGORIES) needed.add(c);
  if (options.waiting) for (const c of FINISHED_CATEGORIES) needed.add(c);
  for (const spec of specs) {
    const { on } = spec;
    if (!spec.enabled || (on.connection !== undefined && on.connection !== connectionName)) continue;
    const named = triggerCategories(on) ?? filterCategories(on);
    if (named) {
      for (const c of named) if (canBecome(on.event, c)) needed.add(c);
      continue;
    }
    for (const c of TYPED_CATEGORIES) if (canBecome(on.event, c)) needed.add(c);
    if (globMatches(on.event, OTHER_EVENT_TYPE)) return ALL;
  }
  return needed;
}

/** As Octopus's filter wants it: sorted, or empty for all. */
export function asFilter(needed: Needed): string[] {
  return needed === ALL ? [] : [...needed].sort();
}
