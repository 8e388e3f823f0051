import { patchedConfig } from '../../core/config-patch.js';
import type { Logger } from 'pino';
import { ShiplineError } from '../../core/errors.js';
import { checkedAgainst } from '../schema-check.js';
import type { Action, ActionContext, HttpClient } from '../../engine/action.js';
import type { Connection } from '../../core/connection.js';
import type { Store } from '../../store/index.js';
import { observeDeployment, tracksDeploys } from './catalog.js';
import { NonRetriableOctopusError, OctopusApiError } from './client.js';
import type { OctopusCheck, OctopusConfigValue, OctopusState, OpenConnection } from './connection.js';
import { newWebhookSecret, OctopusConfig, OctopusConnections, OctopusSecrets, WEBHOOK_SECRET } from './connection.js';
import { createReleaseAction } from './create-release.js';
import { deployReleaseAction } from './deploy-release.js';
import type { DeploymentSeen } from './index-types.js';
import { OctopusInbox } from './inbox.js';
import { listResources, RESOURCE_KINDS } from './resources.js';
import type { ResourceKind } from './resources.js';
import { SubscriptionReconciler } from './subscription.js';
import { octopusHookRoutes } from './webhook-handler.js';

/**
 * The Octopus Deploy integration: the connection type (server URL, space, API key), the
 * subscription Shipline keeps in Octopus, the receiver of its deliveries, the On Deployment
 * Event trigger (`octopus.deployment.*` events, filtered in reactions by connection, categories,
 * project and environment), and the Deploy Release and Create Release actions.
 */
export const OCTOPUS_MANIFEST = {
  type: 'octopus',
  title: 'Octopus Deploy',
  description:
    'Connect an Octopus Deploy server (URL, space, API key). Shipline keeps its Octopus subscription itself, turns deliveries into octopus.deployment.* and octopus.event events and catalog deploys, and deploys or creates releases from reactions.',
  config: OctopusConfig,
  secrets: OctopusSecrets,
  resources: RESOURCE_KINDS,
  events: [
    'octopus.deployment.queued',
    'octopus.deployment.started',
    'octopus.deployment.succeeded',
    'octopus.deployment.failed',
    'octopus.event',
  ],
} as const;

export interface OctopusIntegrationOptions {
  store: Store;
  http: HttpClient;
  /** Shipline's public base URL, as Octopus reaches it (the subscription's WebhookURI). */
  publicUrl: () => string;
  /** A unique name for this process (the reconciler's lease). */
  owner: string;
  logger?: Logger;
  /** SHIPLINE_OCTOPUS_RECONCILE_INTERVAL; default 10 min. */
  reconcileIntervalMs?: number;
  /** How often changes are looked for; default 2 s. */
  watchMs?: number;
}

/**
 * The Octopus actions for listing and documentation only: they are never run, so they get no
 * connections to work with.
 */
export function octopusActionsForDocs(): Action[] {
  const unavailable = new Proxy(
    {},
    {
      get: () => {
        throw new Error('documentation only');
      },
    },
  ) as OctopusConnections;
  return [deployReleaseAction({ connections: unavailable, seen: async () => undefined }), createReleaseAction(unavailable)];
}

/** A connection as the API shows it: config and state, never a secret. */
export type ConnectionView = Connection;

export class OctopusIntegration {
  readonly connections: OctopusConnections;
  readonly inbox: OctopusInbox;
  readonly reconciler: SubscriptionReconciler;
  readonly actions: Action[];

  constructor(private readonly options: OctopusIntegrationOptions) {
    const { store, http, logger } = options;
    this.connections = new OctopusConnections(store, http);
    this.inbox = new OctopusInbox(store, this.connections, logger);
    this.reconciler = new SubscriptionReconciler(store, this.connections, {
      publicUrl: options.publicUrl,
      owner: options.owner,
      ...(options.reconcileIntervalMs ? { intervalMs: options.reconcileIntervalMs } : {}),
      ...(options.watchMs ? { watchMs: options.watchMs } : {}),
      ...(logger ? { logger } : {}),
    });
    this.actions = [
      deployReleaseAction({ connections: this.connections, seen: (ctx, open, d) => this.seen(ctx, open, d) }),
      createReleaseAction(this.connections),
    ];
  }

  start(): void {
    this.inbox.start();
    this.reconciler.start();
  }

  async stop(): Promise<void> {
    await this.reconciler.stop();
    await this.inbox.stop();
  }

  routes() {
    return octopusHookRoutes(this.options.store, this.inbox);
  }

  /** Checks config and secrets, stores the connection with a fresh webhook secret, and tests it. */
  async create(input: { name: string; config: unknown; secrets: unknown }): Promise<Connection> {
    const { config, apiKey } = checkedSettings(input);
    const created = await this.options.store.connections.create({
      name: input.name,
      type: 'octopus',
      config: { ...config },
      secrets: { apiKey, [WEBHOOK_SECRET]: newWebhookSecret() },
    });
    await this.test(created.id);
    await this.settleSubscription();
    return this.options.store.connections.get(created.id);
  }

  /** Changes config and/or the API key (the webhook secret is kept: nothing rotates silently). */
  async update(nameOrId: string, patch: { config?: unknown; secrets?: unknown }): Promise<Connection> {
    const current = await this.options.store.connections.get(nameOrId);
    const config =
      patch.config === undefined
        ? undefined
        : (checkedAgainst(
            OctopusConfig,
            patchedConfig(current.config, patch.config as Record<string, unknown>),
            'config',
          ) as OctopusConfigValue);
    const secrets =
      patch.secrets === undefined ? undefined : (checkedAgainst(OctopusSecrets, patch.secrets, 'secrets') as { apiKey: string });
    await this.options.store.connections.update(current.id, {
      ...(config ? { config: { ...config, serverUrl: config.serverUrl.replace(/\/+$/, '') } } : {}),
      ...(secrets ? { secrets: { apiKey: secrets.apiKey } } : {}),
    });
    await this.test(current.id);
    await this.settleSubscription();
    return this.options.store.connections.get(current.id);
  }

  /**
   * Tests settings as `create` would (same checks, same calls to Octopus) without storing a
   * connection, so nothing is subscribed to either.
   */
  probe(input: { config: unknown; secrets: unknown }, signal?: AbortSignal): Promise<OctopusCheck> {
    const { config, apiKey } = checkedSettings(input);
    return this.connections.check(config, apiKey, signal);
  }

  async test(nameOrId: string): Promise<OctopusState> {
    const state = await this.connections.test(nameOrId);
    void this.reconciler.reconcileSoon();
    return state;
  }

  async resources(nameOrId: string, kind: ResourceKind, query: { project?: string; search?: string }) {
    try {
      return await listResources(this.connections, nameOrId, kind, query);
    } catch (err) {
      throw asConnectionError(err);
    }
  }

  /**
   * Lets the answer to a create or change show the subscription's state: waits for the reconcile
   * (at most a few seconds; a slow Octopus is reported by the state later, not by a hung request).
   */
  private async settleSubscription(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.reconciler.reconcileSoon(), new Promise((resolve) => (timer = setTimeout(resolve, 5_000)))]);
    clearTimeout(timer);
  }

  /** Waits until the subscriptions reflect everything changed so far. */
  reconcileNow(): Promise<void> {
    return this.reconciler.reconcileSoon();
  }

  private async seen(_ctx: ActionContext, open: OpenConnection, d: DeploymentSeen): Promise<void> {
    const connection = await this.options.store.connections.withSecrets(open.connection.id);
    if (!connection || !tracksDeploys(connection)) return;
    const store = this.options.store;
    const now = new Date().toISOString();
    await store.commits.submit((run) =>
      observeDeployment(
        run,
        store,
        connection,
        {
          deploymentId: d.deploymentId,
          status: d.status,
          projectName: d.projectName ?? null,
          projectSlug: d.projectSlug ?? null,
          projectId: d.projectId,
          environmentName: d.environmentName ?? null,
          environmentId: d.environmentId,
          releaseVersion: d.releaseVersion ?? null,
          releaseId: d.releaseId,
          occurredAt: d.created,
          message: `Deploy Release ${d.deploymentId}: ${d.status}`,
          username: null,
          userId: null,
          webUrl: d.webUrl,
        },
        now,
      ),
    );
  }
}

/** Config and API key as given to create or probe: 400 `connection.invalid` listing every problem; the server URL without a trailing slash. */
function checkedSettings(input: { config: unknown; secrets: unknown }): { config: OctopusConfigValue; apiKey: string } {
  const config = checkedAgainst(OctopusConfig, input.config, 'config') as OctopusConfigValue;
  const secrets = checkedAgainst(OctopusSecrets, input.secrets, 'secrets') as { apiKey: string };
  return { config: { ...config, serverUrl: config.serverUrl.replace(/\/+$/, '') }, apiKey: secrets.apiKey };
}

/** Octopus's own errors (and network failures) as the API reports them: 502 with Octopus's message, or 404 for a missing resource. */
function asConnectionError(err: unknown): unknown {
  if (err instanceof ShiplineError) return err;
  if (err instanceof NonRetriableOctopusError && err.status === 404) return new ShiplineError('request.invalid', err.message);
  if (err instanceof NonRetriableOctopusError || err instanceof OctopusApiError)
    return new ShiplineError('connection.unreachable', `Octopus answered ${err.status}: ${err.message}`);
  if (err instanceof Error) return new ShiplineError('connection.unreachable', `Octopus could not be reached: ${err.message}`);
  return err;
}
