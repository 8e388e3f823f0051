// The server's shapes for connections, deploy endpoints and webhooks, from its schemas where the
// UI reads them as they are (type-only imports); Connection also reads older servers' answers.
import type { Static } from '@fastify/type-provider-typebox';
import type * as ConnectionSchemas from '../../../../src/server/connection-schemas.js';
import type * as Schemas from '../../../../src/server/schemas.js';

export type SubscriptionState = 'ready' | 'pending' | 'error' | 'none';

/** The subscription Shipline keeps at the provider for a connection, for types that declare `keepsSubscription`. */
export interface Subscription {
  /** Sent by newer servers; otherwise derived from the other fields (see subscriptionStateOf). */
  state?: SubscriptionState;
  id: string | null;
  categories: string[];
  lastReconciledAt?: string | null;
  reconciledAt?: string | null;
  error: string | null;
  warning?: string | null;
}

export interface Connection {
  id: string;
  name: string;
  type: string;
  config: Record<string, unknown>;
  /** ready, error, or unknown (never tested). */
  status: string;
  error: string | null;
  space: { id: string; name: string } | null;
  version: string | null;
  checkedAt: string | null;
  /** Whether the last test reached the provider (false: only the settings were checked here); null before a test. */
  contacted?: boolean | null;
  details: Record<string, unknown> | null;
  subscription: Subscription | null;
  webhookUrl: string;
  createdAt: string;
  updatedAt: string;
  /** Names of the secrets that hold a value, when the server says so. */
  secretsSet?: string[];
}

/** The answer to `POST /api/v1/connections/test`: settings tested, nothing saved. */
// `details` is an open object; the schema's type says only `{}`.
export type ConnectionProbe = Omit<Static<typeof ConnectionSchemas.ConnectionProbeView>, 'details'> & {
  details: Record<string, unknown> | null;
};

/** A JSON Schema object as the connection types describe their fields. */
export interface FieldsSchema {
  type?: string;
  required?: string[];
  properties?: Record<string, FieldSchema>;
}

export interface FieldSchema {
  type?: string;
  /** A field that takes one value or a list (`anyOf: [string, string[]]`). */
  anyOf?: FieldSchema[];
  items?: FieldSchema;
  /** Declared UI metadata: the field's label, an example value shown in the empty input, more examples, and whether to mask it. */
  title?: string;
  placeholder?: string;
  examples?: unknown[];
  sensitive?: boolean;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  pattern?: string;
  minLength?: number;
  minimum?: number;
  maximum?: number;
}

export interface ConnectionType {
  type: string;
  title: string;
  description: string;
  config: FieldsSchema;
  secrets: FieldsSchema;
  actions: string[];
  templates: string[];
  /** True when the provider posts webhooks to the connection's webhookUrl. */
  inbound: boolean;
  /** The event types its connections emit (older servers send none). */
  events?: string[];
  /** JSON Schema of the options a reaction's `on:` may carry for those events, or null. */
  trigger?: FieldsSchema | null;
  /** The resource kinds its pickers list (`GET /api/v1/connections/:name/resources/:kind`). */
  resources?: string[];
  /** True when Shipline keeps a subscription at the provider for each connection. */
  keepsSubscription?: boolean;
}

export type Resource = Static<typeof ConnectionSchemas.Resource>;
export type DeployEndpoint = Static<typeof Schemas.Endpoint>;
export type Webhook = Static<typeof Schemas.Webhook>;
export type WebhookAuthType = Webhook['auth']['type'];
/** The answer to creating a webhook: its key or signing secret, shown only this once. */
export type WebhookCreated = Static<typeof Schemas.WebhookCreated>;
