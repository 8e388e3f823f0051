import type { TSchema } from 'typebox';
import type { Action } from '../engine/action.js';
import type { ProviderEvent, ReactionTemplate, ScriptVariable } from './connection-type.js';
import { CONNECTION_TYPES } from './connection-types.js';
import { BUILTIN_EVENTS } from '../core/builtin-events.js';

/** What every integration declares, for the API, the UI, the generated docs and `reactions init`. */
export interface IntegrationManifest {
  type: string;
  title: string;
  description: string;
  config: TSchema;
  secrets: TSchema;
  actions: Action[];
  templates: ReactionTemplate[];
  /** True when the provider posts its own webhooks to `/hooks/<type>/<connection id>`. */
  inbound: boolean;
  /** What identifies one of those deliveries, so that a repeat is recognised. */
  deliveryId?: string | undefined;
  /** The events its connections emit. */
  events: ProviderEvent[];
  /** The options a reaction's `on:` may carry for those events (besides `connection`), or null. */
  trigger: TSchema | null;
  /** What its pickers list. */
  resources: readonly string[];
  /** What a script step naming one of its connections gets in its environment. */
  scriptVariables: readonly ScriptVariable[];
}

export function integrationManifests(): IntegrationManifest[] {
  return CONNECTION_TYPES.map((t) => ({
    type: t.type,
    title: t.title,
    description: t.description,
    config: t.config,
    secrets: t.secrets,
    actions: t.actions,
    templates: t.templates ?? [],
    inbound: !!t.webhook,
    deliveryId: t.webhook?.deliveryId,
    events: t.events ?? [],
    trigger: t.trigger ?? null,
    resources: t.resources?.kinds ?? [],
    scriptVariables: t.scriptEnv?.variables ?? [],
  }));
}

/** Every event a reaction may listen to: Shipline's own, then each provider's, with the provider's type (null for Shipline's). */
export function allEvents(): Array<ProviderEvent & { provider: string | null }> {
  return [
    ...BUILTIN_EVENTS.map((e) => ({ ...e, provider: null })),
    ...CONNECTION_TYPES.flatMap((t) => (t.events ?? []).map((e) => ({ ...e, provider: t.type }))),
  ];
}

/** Every ready-made reaction, by name. */
export function allTemplates(): ReactionTemplate[] {
  return integrationManifests().flatMap((m) => m.templates);
}
