import { Type } from 'typebox';
import type { TSchema } from '@fastify/type-provider-typebox';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const ConnectionCreate = Type.Object({
  type: Type.String({
    description: 'The kind of system: one of the types GET /api/v1/connection-types lists (octopus, slack, discord, …)',
  }),
  name: Type.String({ description: 'a–z, 0–9, _ and -; how reactions refer to it' }),
  config: Type.Object(
    {},
    { additionalProperties: true, description: "The type's config fields, as GET /api/v1/connection-types declares them" },
  ),
  secrets: Type.Object({}, { additionalProperties: true, description: "The type's secret fields; encrypted at rest, never returned" }),
});

/** The settings to test: a connection as it would be created, the name optional (nothing is stored). */
export const ConnectionProbeBody = Type.Object({
  type: ConnectionCreate.properties.type,
  name: Type.Optional(Type.String({ description: 'The name it would have; only shown in messages' })),
  config: ConnectionCreate.properties.config,
  secrets: Type.Object(
    {},
    { additionalProperties: true, description: 'octopus: {apiKey}; used for this test only, never stored or returned' },
  ),
});

/** What testing the settings found; nothing of it is stored. */
export const ConnectionProbeView = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('error')]),
  error: Nullable(Type.String({ description: "The provider's own message when status is error (Octopus's ErrorMessage)" })),
  details: Nullable(
    Type.Object(
      {},
      {
        additionalProperties: true,
        description: 'What the test learned, as a saved test keeps it (Octopus: space {id, name}, version); never a secret',
      },
    ),
  ),
  contacted: Type.Boolean({
    description: 'Whether the test reached the provider; false when it only checked the settings here (a Slack incoming webhook)',
  }),
});

export const ConnectionPatch = Type.Object({
  config: Type.Optional(
    Type.Object(
      {},
      { additionalProperties: true, description: 'Fields to change; a field given as null is removed (back to its default)' },
    ),
  ),
  secrets: Type.Optional(Type.Object({}, { additionalProperties: true, description: 'A new API key: {apiKey}' })),
});

export const ConnectionView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  type: Type.String(),
  config: Type.Object({}, { additionalProperties: true }),
  status: Type.String({ description: 'ready, error, or unknown (never tested)' }),
  error: Nullable(Type.String({ description: "Octopus's ErrorMessage when status is error" })),
  space: Nullable(Type.Object({ id: Type.String(), name: Type.String() })),
  version: Nullable(Type.String({ description: 'The Octopus server version' })),
  checkedAt: Nullable(Type.String()),
  contacted: Nullable(
    Type.Boolean({
      description: 'Whether the last test reached the provider (false: only the settings were checked here); null before a test',
    }),
  ),
  details: Nullable(
    Type.Object({}, { additionalProperties: true, description: 'What the test learned (workspace, user, site...); never a secret' }),
  ),
  subscription: Nullable(
    Type.Object(
      {
        state: Type.Union([Type.Literal('ready'), Type.Literal('pending'), Type.Literal('error'), Type.Literal('none')], {
          description:
            'pending: not set up yet; error: the last reconcile failed (see error); none: nothing needs its events; ready: in place',
        }),
        id: Nullable(Type.String()),
        categories: Type.Array(Type.String(), { description: 'EventCategories; empty means every category' }),
        lastReconciledAt: Nullable(Type.String({ description: 'When the reconciler last checked it' })),
        error: Nullable(Type.String()),
        warning: Type.Optional(
          Nullable(Type.String({ description: 'Set when Octopus cannot reach SHIPLINE_PUBLIC_URL (e.g. localhost)' })),
        ),
      },
      { description: 'Octopus: the subscription Shipline keeps; null for other types' },
    ),
  ),
  webhookUrl: Type.String({ description: 'Where the provider delivers its webhooks (the Octopus subscription, PagerDuty, GitHub)' }),
  secretsSet: Type.Array(Type.String(), { description: 'The names of the secret fields stored; their values are never shown' }),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

export const ConnectionTypeView = Type.Object({
  type: Type.String(),
  title: Type.String(),
  description: Type.String(),
  config: Type.Unknown({ description: 'JSON Schema of the config fields' }),
  secrets: Type.Unknown({ description: 'JSON Schema of the secret fields (write-only)' }),
  actions: Type.Array(Type.String()),
  templates: Type.Array(Type.String(), { description: 'Ready-made reactions (shipline reactions init <name>)' }),
  inbound: Type.Boolean({ description: 'True when the provider posts webhooks to /hooks/<type>/<connection id>' }),
  events: Type.Array(Type.String(), { description: 'The events its connections emit (GET /api/v1/event-types describes each)' }),
  trigger: Type.Unknown({
    description: "JSON Schema of the options a reaction's on: may carry for those events (besides connection), or null",
  }),
  resources: Type.Array(Type.String(), { description: 'What its pickers list (GET /api/v1/connections/:name/resources/:kind)' }),
  keepsSubscription: Type.Boolean({
    description: "True when Shipline keeps a subscription at the provider for each connection (shown as the connection's subscription)",
  }),
});

export const DeclaredEventView = Type.Object({
  type: Type.String({ description: 'The event type (webhook.<name>: one per named webhook)' }),
  description: Type.String(),
  example: Type.Unknown({ description: "An example of the event's data" }),
  provider: Type.Union([Type.String(), Type.Null()], { description: "The connection type that emits it; null for Shipline's own" }),
});

export const Resource = Type.Object({ id: Type.String(), name: Type.String() });
