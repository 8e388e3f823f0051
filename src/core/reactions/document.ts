import type { SourceTrigger, TriggerDeclaration } from './source-trigger.js';
import type { TSchema } from 'typebox';
import type { RetryPolicy } from './durations.js';
import type { Schedule } from '../schedule.js';

/**
 * The reaction document model: what a user writes (YAML or JSON) and the normalized spec the
 * engine runs. A reaction maps events (its trigger, `on`) to a tree of steps; each step runs an
 * action and ends on one of the action's channels; `after` starts a step when another one ends on
 * a given channel.
 */

export { DEFAULT_RETRY } from './durations.js';
export type { RetryPolicy } from './durations.js';
export { parseReactionText } from './parse-text.js';
export { validateReaction, usesAdminOnlyAction } from './validate.js';
export { NAME_PATTERN } from './validate-shared.js';

export interface StepSpec {
  id: string;
  /** The action's name (`http.request`). */
  uses: string;
  /** The action's config, templates unrendered. Default {}. */
  with: Record<string, unknown>;
  /** null: the step starts with the run. A string `after: x` means channel `success`. */
  after: { step: string; channel: string } | null;
  /** Default DEFAULT_RETRY. */
  retry: RetryPolicy;
  /** null: the engine's default. */
  timeoutMs: number | null;
}

export interface ReactionSpec {
  name: string;
  /** Default null. */
  description: string | null;
  /** Default true. */
  enabled: boolean;
  on: {
    /** An event type or a glob (`octopus.deployment.*`); `schedule.fired` for a scheduled reaction. */
    event: string;
    /** When time starts the reaction: each tick is a `schedule.fired` event for it alone. Absent otherwise. */
    schedule?: Schedule;
    /** Field path → accepted values (a scalar in the document becomes a one-value list). Default {}. */
    filter: Record<string, Array<string | number | boolean | null>>;
    /** A CEL expression over {event, data}. Default null. */
    if: string | null;
  } & SourceTrigger;
  /** Runs sharing a rendered `key` (templates over event and data only) run at most `limit` at a time. Default null. */
  concurrency: { key: string; limit: number } | null;
  /** In document order. */
  steps: StepSpec[];
}

/** What validation needs to know about an action. */
export interface ActionInfo {
  channels: readonly string[];
  /** A TypeBox object schema of `with`; absent: `with` is not checked. */
  config?: TSchema;
  /** Only admins may apply reactions that use it. Default false. */
  adminOnly?: boolean;
  /** Settings that take no template, with the advice given when one has one. Default none. */
  literalSettings?: Readonly<Record<string, string>>;
  /** The action's own checks of `with` as written (a script's env names); see Action.configProblems. Default none. */
  configProblems?: (config: Record<string, unknown>, connections?: KnownConnections) => SettingProblem[];
}

/** A stored connection as validation sees it: never its settings or secrets. */
export interface KnownConnection {
  name: string;
  type: string;
  /** The variables its type gives a script that names it (`OCTOPUS_API_KEY`). */
  scriptVariables: readonly string[];
}

/** The stored connections, each under its name and under its id. */
export type KnownConnections = ReadonlyMap<string, KnownConnection>;

/** A problem an action's own check finds in one setting of `with`: `at` is its path from `with` (`env.NAME`). */
export interface SettingProblem {
  setting: string;
  at: string;
  message: string;
}

/** What validation checks against; an absent member skips that check (used when loading stored documents). */
export interface ValidationContext {
  actions?: ReadonlyMap<string, ActionInfo>;
  /** Names of the stored secrets. */
  secrets?: ReadonlySet<string>;
  /**
   * True when a document is applied or validated, false or absent when a stored one is loaded:
   * then also refused are what older stored documents may hold, MAX_STEPS and MAX_DOCUMENT_BYTES
   * exceeded and a literal `matches` pattern that is not RE2. Default false.
   */
  applying?: boolean;
  /** The options each connection type lets `on:` carry for its events; absent, options are taken unchecked. */
  triggers?: readonly TriggerDeclaration[];
  /** The stored connections, for actions' own checks of the ones a step names; absent, those checks are left to the run. */
  connections?: KnownConnections;
}

export type Validation = { ok: true; reaction: ReactionSpec } | { ok: false; problems: string[] };
