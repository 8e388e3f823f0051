import { readGeneration } from '../../store/reactions.js';
import type { Store } from '../../store/index.js';

/** The counter that moves whenever any instance changes a reaction (one primary-key read). */
export function readGenerationOf(store: Store): Promise<number> {
  return store.db.transaction((run) => readGeneration(run));
}
