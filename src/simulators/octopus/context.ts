import type { Delivery } from './delivery.js';
import type { Faults } from './faults.js';
import type { OutcomeRules } from './outcomes.js';
import type { RequestLog } from './request-log.js';
import type { OctopusSimSeed } from './seed.js';
import type { TaskRunner } from './tasks.js';
import type { SimState } from './types.js';

/** How webhook deliveries misbehave on purpose, set through `PUT /_sim/delivery`. */
export interface DeliverySettings {
  /** true drops every delivery; a number drops that many more, then delivery resumes. Default false. */
  drop: boolean | number;
  /** Events of these categories are never delivered. Default []. */
  dropCategories: string[];
  /** POST each event twice (same Event.Id), as Octopus's at-least-once delivery may. Default false. */
  duplicate: boolean;
  /** Wait this long before each POST. Default 0. */
  delayMs: number;
  /** Show WebhookHeaderValue as a sensitive value (`{HasValue, NewValue: null, Hint}`), never in plain. Default false. */
  sensitiveHeaderValues: boolean;
}

export function defaultDeliverySettings(sensitiveHeaderValues = false): DeliverySettings {
  return { drop: false, dropCategories: [], duplicate: false, delayMs: 0, sensitiveHeaderValues };
}

/**
 * Everything a route or a background job of the stand-in works through, passed explicitly.
 * `state` is replaced on reset, so read it from here each time rather than keeping a reference.
 */
export interface SimContext {
  state: SimState;
  readonly seed: OctopusSimSeed;
  readonly settings: DeliverySettings;
  readonly outcomes: OutcomeRules;
  readonly tasks: TaskRunner;
  /** Replaced on reset, like `state`. */
  delivery: Delivery;
  readonly log: RequestLog;
  /** API calls to fail on purpose (`/_sim/faults`). */
  readonly faults: Faults;
  /** The base URL clients reach the stand-in at (no trailing slash), also the payloads' ServerUri. */
  baseUrl(): string;
}
