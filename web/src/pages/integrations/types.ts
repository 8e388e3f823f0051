// The server's shapes for connections, deploy endpoints and webhooks
// (src/server/connection-schemas.ts and src/server/schemas.ts are the source of truth).

export type SubscriptionState = 'ready' | 'pending' | 'error' | 'none';

/** The Octopus subscription Shipline keeps for a connection. */
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
  details: Record<string, unknown> | null;
  subscription: Subscription | null;
  webhookUrl: string;
  createdAt: string;
  updatedAt: string;
  /** Names of the secrets that hold a value, when the server says so. */
  secretsSet?: string[];
}

/** The answer to `POST /api/v1/connections/test`: settings tested, nothing saved. */
export interface ConnectionProbe {
  status: 'ready' | 'error';
  /** The provider's own message when status is error. */
  error: string | null;
  /** What the test learned (Octopus: space and version); never a secret. */
  details: Record<string, unknown> | null;
}

/** A JSON Schema object as the connection types describe their fields. */
export interface FieldsSchema {
  type?: string;
  required?: string[];
  properties?: Record<string, FieldSchema>;
}

export interface FieldSchema {
  type?: string;
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
}

export interface Resource {
  id: string;
  name: string;
}

export interface DeployEndpoint {
  id: string;
  name: string;
  url: string;
  createdAt: string;
}

export type WebhookAuthType = 'api_key' | 'hmac_sha256' | 'standard_webhooks';

export interface Webhook {
  name: string;
  url: string;
  auth: { type: WebhookAuthType; header?: string };
  createdAt: string;
}

/** The answer to creating a webhook: its key or signing secret, shown only this once. */
export interface WebhookCreated extends Webhook {
  key?: string;
  secret?: string;
}
