import type { TSchema } from 'typebox';
import type { Action } from '../engine/action.js';
import type { ReactionTemplate } from './connection-type.js';
import { CONNECTION_TYPES } from './connection-types.js';
import { builtinActions } from '../actions/index.js';
import { OCTOPUS_MANIFEST, octopusActionsForDocs } from './octopus/index.js';
import { OCTOPUS_TEMPLATES } from './octopus/templates.js';

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
}

export function integrationManifests(): IntegrationManifest[] {
  return [
    {
      type: OCTOPUS_MANIFEST.type,
      title: OCTOPUS_MANIFEST.title,
      description: OCTOPUS_MANIFEST.description,
      config: OCTOPUS_MANIFEST.config,
      secrets: OCTOPUS_MANIFEST.secrets,
      actions: octopusActionsForDocs(),
      templates: OCTOPUS_TEMPLATES,
      inbound: true,
      deliveryId: "the Octopus event's `Payload.Event.Id`",
    },
    ...CONNECTION_TYPES.map((t) => ({
      type: t.type,
      title: t.title,
      description: t.description,
      config: t.config,
      secrets: t.secrets,
      actions: t.actions,
      templates: t.templates ?? [],
      inbound: !!t.webhook,
      deliveryId: t.webhook?.deliveryId,
    })),
  ];
}

/** Every ready-made reaction, by name. */
export function allTemplates(): ReactionTemplate[] {
  return integrationManifests().flatMap((m) => m.templates);
}

/** Every action Shipline ships: the built-ins and each integration's (for the conventions test). */
export function allActions(): Action[] {
  return [...builtinActions({ scriptsEnabled: false }), ...integrationManifests().flatMap((m) => m.actions)];
}
