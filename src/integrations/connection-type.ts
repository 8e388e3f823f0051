import type { IncomingHttpHeaders } from 'node:http';
import type { TSchema } from 'typebox';
import type { DeployInput } from '../core/deploy-payload.js';
import type { DeployStatus } from '../core/vocabulary.js';
import type { Action, HttpClient } from '../engine/action.js';
import type { ConnectionWithSecrets } from '../core/connection.js';

/**
 * The manifest of an integration that has a connection (Slack, PagerDuty, GitHub, Jira, email,
 * New Relic, Datadog, Sentry; Octopus has its own, richer one): the connection's fields and
 * secrets, how to test it, its actions, what its inbound webhooks become, and ready-made
 * reactions. One schema per field drives validation, the API, the UI form and the generated docs.
 */

/** The outcome of testing a connection against the provider. */
export interface ConnectionCheck {
  status: 'ready' | 'error';
  /** The provider's own message when status is error. */
  error?: string | null;
  /** What is worth showing about the account (workspace name, user, site...); never a secret. */
  details?: Record<string, unknown>;
}

/** An event an inbound delivery becomes; stored with source `connection:<name>`. */
export interface InboundEvent {
  type: string;
  data: unknown;
  /** Unique per delivery (e.g. `github:<X-GitHub-Delivery>`): a redelivery stores nothing new. */
  sourceKey?: string;
  /** When it happened (ISO); default now. */
  timestamp?: string;
}

/** A deploy an inbound delivery reports (GitHub deployment_status): recorded or advanced in the catalog. */
export interface InboundDeploy {
  /** Unique per deployment at the provider: later deliveries advance the same deploy's status. */
  dedupId: string;
  status: DeployStatus;
  /** The deploy as the catalog records it on first sight (`dedupId` and `status` are set from above). */
  input: Omit<DeployInput, 'dedupId' | 'status' | 'source'>;
}

/** `POST /hooks/<type>/<connection id>`: the provider's webhooks, verified over the raw body. */
export interface InboundWebhook {
  /** null when the delivery is authentic; otherwise why not (answered 401, nothing stored). */
  verify(connection: ConnectionWithSecrets, headers: IncomingHttpHeaders, raw: Buffer): string | null;
  /**
   * What tells one delivery from another, for the docs (e.g. "the `X-GitHub-Delivery` header"):
   * `events` puts it in each event's `sourceKey`, so a repeat is recognised and stores nothing.
   */
  deliveryId: string;
  /** The events a verified delivery becomes (possibly none, e.g. a ping). */
  events(connection: ConnectionWithSecrets, body: unknown, headers: IncomingHttpHeaders): InboundEvent[];
  /** Deploys the delivery reports, if any. */
  deploys?(connection: ConnectionWithSecrets, body: unknown, headers: IncomingHttpHeaders): InboundDeploy[];
}

/** A ready-made reaction `shipline reactions init <name>` writes. */
export interface ReactionTemplate {
  name: string;
  description: string;
  /** The document as YAML, valid as it is (placeholders are connection and secret names). */
  yaml: string;
}

export interface ConnectionType {
  /** Lower-case, also the actions' name prefix: `slack` → `slack.postMessage`. */
  type: string;
  title: string;
  /** One paragraph for the docs and the UI. */
  description: string;
  /** Non-secret fields (TypeBox object schema, additionalProperties false). */
  config: TSchema;
  /** Secret fields (TypeBox object schema): write-only, encrypted at rest. */
  secrets: TSchema;
  /** Checks the connection (Slack `auth.test`, GitHub `GET /user`, ...) through the given client. */
  test(connection: ConnectionWithSecrets, http: HttpClient, signal: AbortSignal): Promise<ConnectionCheck>;
  /** Secrets Shipline makes for itself at creation (e.g. a webhook signing secret); never shown. */
  generatedSecrets?(): Record<string, string>;
  actions: Action[];
  webhook?: InboundWebhook;
  templates?: ReactionTemplate[];
}
