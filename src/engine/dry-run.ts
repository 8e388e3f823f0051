import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { Budget } from '../core/reactions/budget.js';
import type { ReactionSpec } from '../core/reactions/document.js';
import { refusal, type RefusedBy } from '../core/reactions/refusal.js';
import type { TriggerDeclaration } from '../core/reactions/source-trigger.js';
import { placeholderSecrets } from '../core/reactions/secret-placeholders.js';
import { referencedSecrets, renderValue } from '../core/reactions/templates.js';
import type { ShiplineEvent } from '../core/vocabulary.js';
import { errorMessage } from '../core/error-message.js';

export interface DryRunStep {
  id: string;
  uses: string;
  after: { step: string; channel: string } | null;
  runsFirst: boolean;
  input: unknown;
  error: string | null;
}

export interface DryRun {
  matched: boolean;
  reason: string | null;
  /** Which part refused, and what it compared; null when the trigger matches. */
  refusedBy: RefusedBy | null;
  steps: DryRunStep[];
}

export interface DryRunOptions {
  /** The connection types' trigger declarations: how the options of `on` match. */
  triggers: readonly TriggerDeclaration[];
  /** The settings schema of an action: rendered input is converted to its types, as a run does. */
  schemaOf?: (uses: string) => TSchema | undefined;
  runId?: string;
}

/**
 * What a reaction would do with an event, performing nothing: whether its trigger matches (and
 * if not, which part refused), and every step's input rendered and converted to the types its
 * action declares (`port: "{{ data.port }}"` shows 8080, not "8080", as the step will get it).
 * Secrets are never loaded: each reads as its placeholder (`«secret:NAME»`), whether or not it
 * exists, so neither a value, nor anything derived from one, nor which names exist can be learnt
 * from a dry run. Steps whose input uses earlier steps' outputs cannot be rendered before those
 * ran; they say so.
 */
export function dryRun(spec: ReactionSpec, event: ShiplineEvent, options: DryRunOptions): DryRun {
  const runId = options.runId ?? 'dry-run';
  // One budget for the whole dry run: its condition and every step's templates together.
  const budget = new Budget('one dry run');
  const refused = refusal(spec, event, options.triggers, budget);
  const steps = spec.steps.map((step): DryRunStep => {
    const base = { id: step.id, uses: step.uses, after: step.after, runsFirst: step.after === null };
    const scope = {
      event,
      data: event.data,
      steps: {},
      secrets: placeholderSecrets(referencedSecrets(step.with)),
      run: { id: runId, reaction: spec.name, version: 0 },
    };
    try {
      const rendered = renderValue(step.with, scope, budget);
      const schema = options.schemaOf?.(step.uses);
      return { ...base, input: schema ? Value.Convert(schema, rendered) : rendered, error: null };
    } catch (err) {
      return { ...base, input: null, error: errorMessage(err) };
    }
  });
  return { matched: refused === null, reason: refused?.reason ?? null, refusedBy: refused?.refusedBy ?? null, steps };
}
