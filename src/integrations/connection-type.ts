import type { IncomingHttpHeaders } from 'node:http';
import type { TSchema } from 'typebox';
import type { DeclaredEvent } from '../core/builtin-events.js';
import type { DeployInput } from '../core/deploy-payload.js';
import type { DeployStatus } from '../core/vocabulary.js';
import type { Action, HttpClient } from '../engine/action.js';
import type { Connection, ConnectionWithSecrets } from '../core/connection.js';
import type { ConnectionHost } from './connection-host.js';

/**
 * The manifest of an integration that has a connection (Octopus Deploy, Slack, PagerDuty, GitHub,
 * Jira, email, New Relic, Datadog, Sentry): the connection's fields and secrets, how to test it,
 * its actions, the events it emits and the trigger options reactions may filter them by, what its
 * inbound webhooks become, resource pickers, ready-made reactions, and the lifecycle of a provider
 * that keeps work of its own running (Octopus: its inbox and its subscription). One schema per
 * field drives validation, the API, the UI form and the generated docs. What a provider needs
 * from the store comes through the `ConnectionHost` it is given (connection-host.ts).
 */

/** The outcome of testing a connection against the provider. */
export interface ConnectionCheck {
  status: 'ready' | 'error';
  /** The provider's own message when status is error. */
  error?: string | null;
  /** What is worth showing about the account (workspace name, user, site...); never a secret. */
  details?: Record<string, unknown>;
  /**
   * What to keep on the connection's state besides status and error (Octopus: the space, the
   * version), merged into it; a Test of unsaved settings shows it when `details` is not given.
   */
  state?: Record<string, unknown>;
  /**
   * False when the test reached nothing at the provider and only checked the settings here (a
   * Slack incoming webhook has no call that posts nothing); the UI then says so instead of
   * "succeeded". Default true.
   */
  contacted?: boolean;
}

/** An event a provider emits (e.g. `octopus.deployment.succeeded`), with a real `data` from its recorded fixtures. */
export type ProviderEvent = DeclaredEvent;

/** One item a picker offers. */
export interface Resource {
  id: string;
  name: string;
}

/** Pickers (as n8n's loadOptions): the kinds a connection lists, and how. */
export interface ResourcePickers {
  kinds: readonly string[];
  /**
   * Items of `kind` the connection has, filtered by `query` (e.g. `project` for releases,
   * `search`). Throws a ShiplineError (`request.invalid`, `connection.unreachable`) when it cannot.
   */
  list(connection: ConnectionWithSecrets, kind: string, query: Record<string, string>, host: ConnectionHost): Promise<Resource[]>;
}

/** What the route answers a webhook a provider takes in itself (`receive`). */
export interface WebhookAnswer {
  status: 200 | 202;
  body: { duplicate: boolean; events?: number; eventId?: string };
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
interface WebhookBase {
  /** null when the delivery is authentic; otherwise why not (answered 401, nothing stored). */
  verify(connection: ConnectionWithSecrets, headers: IncomingHttpHeaders, raw: Buffer): string | null;
  /**
   * What tells one delivery from another, for the docs (e.g. "the `X-GitHub-Delivery` header"):
   * a repeat is recognised by it and stores nothing.
   */
  deliveryId: string;
}

/** Deliveries Shipline stores as events (and catalog deploys) in one transaction before answering. */
export interface StoredWebhook extends WebhookBase {
  /** The events a verified delivery becomes (possibly none, e.g. a ping); each `sourceKey` from `deliveryId`. */
  events(connection: ConnectionWithSecrets, body: unknown, headers: IncomingHttpHeaders): InboundEvent[];
  /** Deploys the delivery reports, if any. */
  deploys?(connection: ConnectionWithSecrets, body: unknown, headers: IncomingHttpHeaders): InboundDeploy[];
  receive?: never;
}

/**
 * Deliveries the provider takes in itself (Octopus keeps them in its inbox and makes events
 * afterwards), saying what to answer. `receive` throws a ShiplineError (e.g. `request.invalid`) to refuse one.
 */
export interface ReceivingWebhook extends WebhookBase {
  receive(connection: ConnectionWithSecrets, body: unknown, host: ConnectionHost): Promise<WebhookAnswer>;
  events?: never;
}

export type InboundWebhook = StoredWebhook | ReceivingWebhook;

/** One environment variable a connection gives a script step that names it. */
export interface ScriptVariable {
  /** The provider's own convention where it has one (`GITHUB_TOKEN`, `DD_API_KEY`), so its CLIs and SDKs find it. */
  name: string;
  /** One line for the docs: what it holds, and when it is absent. */
  description: string;
  /** True when the value is a credential (or contains one): hidden from the step's records like a secret. */
  secret: boolean;
}

/**
 * The variables a script step gets for each connection it names (`with.connections`): declared
 * once for the docs and for collisions, filled per connection for one run.
 */
export interface ScriptEnvDeclaration {
  variables: readonly ScriptVariable[];
  /**
   * This connection's values, by declared name; a variable whose setting is empty is left out.
   * Throws NonRetriableError when the connection is misconfigured (as `readConnection` does).
   */
  values(connection: ConnectionWithSecrets): Record<string, string>;
}

/** A ready-made reaction: `shipline reactions init <name>` writes it, the web UI's gallery fills it in. */
export interface ReactionTemplate {
  name: string;
  description: string;
  /** The document as YAML, valid as it is (placeholders are connection and secret names). */
  yaml: string;
  /** What a user fills in before applying it (template-blanks.ts); the YAML's own values are the defaults. */
  blanks: readonly TemplateBlank[];
}

/**
 * How a blank's value is picked, with the pickers the reaction form uses: a connection of a type,
 * an item a connection lists (its resource kind, from the connection chosen in another blank), or
 * free text (a Slack channel). Secret names are never blanks: they stay `{{ secrets.x }}`.
 */
export type TemplatePicker =
  { kind: 'connection'; type: string } | { kind: 'resource'; resource: string; connectionBlank: string } | { kind: 'text' };

/** One place in a template's documents: which `---` part (0 for the first) and the key path in it. */
export interface TemplateSpot {
  document: number;
  path: readonly string[];
}

/** One value to fill in: where it goes (every spot gets it), how it is picked and what it is called. */
export interface TemplateBlank {
  /** Unique in the template (`connection`, `channel`): `reactions init --set <id>=<value>`. */
  id: string;
  label: string;
  /** One line on what to give, shown under the field. */
  hint?: string;
  picker: TemplatePicker;
  at: readonly TemplateSpot[];
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
  /** The server URL (or other config) as stored: e.g. without a trailing slash. Default: as given. */
  normalizeConfig?(config: Record<string, unknown>): Record<string, unknown>;
  /** The actions, as listed and documented; registered as they are unless `actionsFor` is given. */
  actions: Action[];
  /** The same actions bound to a running Shipline, for providers whose actions need the host (Octopus records the deploys it starts). */
  actionsFor?(host: ConnectionHost): Action[];
  webhook?: InboundWebhook;
  templates?: ReactionTemplate[];
  /** The events this provider emits, each with a real example. */
  events?: ProviderEvent[];
  /**
   * The options a reaction's `on:` may carry for this provider's events, besides `connection`
   * (TypeBox object schema); validated when a reaction is applied. Each option's `match`
   * (TriggerMatch) says how it matches an event's data; an option without one matches nothing.
   */
  trigger?: TSchema;
  resources?: ResourcePickers;
  /** True when Shipline keeps a subscription at the provider for each connection (its state shows as `subscription`). */
  keepsSubscription?: boolean;
  /** What a script step naming one of its connections gets in its environment (`OCTOPUS_URL`, `OCTOPUS_API_KEY`, …). */
  scriptEnv?: ScriptEnvDeclaration;

  // Lifecycle, for providers that keep work running (each gets the host; none may throw).
  /** The process starts: begin background work. */
  start?(host: ConnectionHost): void;
  /** The process stops: end it, waiting for what is in flight. */
  stop?(host: ConnectionHost): Promise<void>;
  /** A connection of this type was created (and tested). */
  created?(connection: Connection, host: ConnectionHost): Promise<void>;
  /** A connection's config or secrets changed (and it was tested again). */
  updated?(connection: Connection, host: ConnectionHost): Promise<void>;
  /** A saved connection was tested (its state holds the outcome). */
  tested?(connection: Connection, host: ConnectionHost): Promise<void>;
  /** A connection was deleted (what Shipline set up at the provider goes too). */
  removed?(connection: ConnectionWithSecrets, host: ConnectionHost): Promise<void>;
  /**
   * Warnings about a reaction's trigger that can never match this connection (an unknown
   * project...), from what is cached: must answer fast and never throw, whatever the provider's state.
   */
  triggerWarnings?(connection: ConnectionWithSecrets, on: Record<string, unknown>, host: ConnectionHost): Promise<string[]>;
}
