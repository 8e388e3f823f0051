// The server's reaction shapes the reactions pages use (src/server/engine-schemas.ts and
// routes/reactions.ts are the source of truth).

export interface LastRun {
  id: string;
  status: string;
  createdAt: string;
}

export interface Reaction {
  name: string;
  version: number;
  enabled: boolean;
  description: string | null;
  trigger: string;
  document: unknown;
  createdAt: string;
  updatedAt: string;
  lastRun?: LastRun | null;
}

export interface ReactionVersion {
  version: number;
  enabled: boolean;
  createdAt: string;
  document: unknown;
}

/** A JSON Schema as the action manifests give it (TypeBox output): only the parts the form reads. */
export interface JsonSchema {
  type?: string | string[];
  /** Declared UI metadata: the field's label, an example value shown in the empty input, more examples, and whether to mask it. */
  title?: string;
  placeholder?: string;
  examples?: unknown[];
  sensitive?: boolean;
  description?: string;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  patternProperties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  default?: unknown;
}

export interface ActionDoc {
  name: string;
  description: string;
  channels: string[];
  adminOnly: boolean;
  config: JsonSchema | null;
  exampleOutput: unknown;
}

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

export interface Validation {
  valid: boolean;
  problems: string[];
  /** What would stop this user saving a valid document (an admin-only action). */
  warnings: string[];
  reaction: unknown;
  dryRun: DryRun | null;
}

export interface ConnectionSummary {
  name: string;
  type: string;
  status: string;
}

export interface PickerResource {
  id: string;
  name: string;
}

/** The event a dry run renders against: a stored one, or one made up in the page. */
export type DryRunSubject = { eventId: string } | { event: { type: string; data: unknown; source?: string } };
