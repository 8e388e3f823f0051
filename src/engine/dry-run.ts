import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { Budget } from '../core/reactions/budget.js';
import type { ReactionSpec } from '../core/reactions/document.js';
import { refusal } from '../core/reactions/refusal.js';
import { redactSecrets, referencedSecrets, renderValue } from '../core/reactions/templates.js';
import type { ShiplineEvent } from '../core/vocabulary.js';

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
  steps: DryRunStep[];
}

export interface DryRunOptions {
  /** The settings schema of an action: rendered input is converted to its types, as a run does. */
  schemaOf?: (uses: string) => TSchema | undefined;
  runId?: string;
}

/**
 * What a reaction would do with an event, performing nothing: whether its trigger matches (and
 * if not, which part refused), and every step's input rendered and converted to the types its
 * action declares (`port: "{{ data.port }}"` shows 8080, not "8080", as the step will get it),
 * secrets redacted. Steps whose input uses earlier steps' outputs cannot be rendered before
 * those ran; they say so.
 */
export function dryRun(spec: ReactionSpec, event: ShiplineEvent, secrets: Map<string, string>, options: DryRunOptions = {}): DryRun {
  const runId = options.runId ?? 'dry-run';
  // One budget for the whole dry run: its condition and every step's templates together.
  const budget = new Budget('one dry run');
  const reason = refusal(spec, event, budget);
  const values = [...secrets.values()];
  const scope = { event, data: event.data, steps: {}, secrets: Object.fromEntries(secrets), run: { id: runId, reaction: spec.name, version: 0 } };
  const steps = spec.steps.map((step): DryRunStep => {
    const base = { id: step.id, uses: step.uses, after: step.after, runsFirst: step.after === null };
    const missing = referencedSecrets(step.with).filter((name) => !secrets.has(name));
    if (missing.length > 0) return { ...base, input: null, error: `secret ${missing.join(', ')} does not exist` };
    try {
      const rendered = renderValue(step.with, scope, budget);
      const schema = options.schemaOf?.(step.uses);
      return { ...base, input: redactSecrets(schema ? Value.Convert(schema, rendered) : rendered, values), error: null };
    } catch (err) {
      return { ...base, input: null, error: redactSecrets(err instanceof Error ? err.message : String(err), values) };
    }
  });
  return { matched: reason === null, reason, steps };
}
