import { ShiplineError } from '../../core/errors.js';
import type { Action, ActionContext } from '../../engine/action.js';
import type { Connection } from '../../core/connection.js';
import type { ConnectionHost } from '../connection-host.js';
import type { ConnectionType } from '../connection-type.js';
import { observeDeployment, tracksDeploys } from './catalog.js';
import { NonRetriableOctopusError, OctopusApiError } from './client.js';
import type { OctopusState, OpenConnection } from './connection.js';
import { newWebhookSecret, OctopusConfig, OctopusConnections, octopusSchemas, OctopusSecrets, WEBHOOK_SECRET } from './connection.js';
import { readConnection } from '../read-connection.js';
import { errorMessage } from '../../core/error-message.js';
import { trimTrailingSlashes } from '../../core/urls.js';
import { createReleaseAction } from './create-release.js';
import { deployReleaseAction } from './deploy-release.js';
import { OCTOPUS_EVENTS } from './events.js';
import type { DeploymentSeen } from './index-types.js';
import { OctopusInbox } from './inbox.js';
import { listResources, RESOURCE_KINDS } from './resources.js';
import type { ResourceKind } from './resources.js';
import { SubscriptionReconciler } from './subscription.js';
import { OCTOPUS_TEMPLATES } from './templates.js';
import { OctopusTrigger, octopusTriggerWarnings, staleCategoryWarnings } from './trigger.js';
import { octopusWebhook } from './webhook-handler.js';

/** What one running Shipline keeps for Octopus: clients per connection, the inbox, the subscription reconciler. */
interface OctopusProcess {
  connections: OctopusConnections;
  inbox: OctopusInbox;
  reconciler: SubscriptionReconciler;
}

/** Per host, so that two Shiplines in one process (tests, a restart) never share a queue or a lease. */
const processes = new WeakMap<ConnectionHost, OctopusProcess>();

/** The Octopus parts of this host, made on first use. */
export function octopusProcess(host: ConnectionHost): OctopusProcess {
  let found = processes.get(host);
  if (!found) {
    const connections = new OctopusConnections((nameOrId) => host.connections.get(nameOrId), host.http);
    found = {
      connections,
      inbox: new OctopusInbox(host, connections),
      reconciler: new SubscriptionReconciler(host, connections, {
        ...(host.reconcile.intervalMs ? { intervalMs: host.reconcile.intervalMs } : {}),
        ...(host.reconcile.watchMs ? { watchMs: host.reconcile.watchMs } : {}),
      }),
    };
    processes.set(host, found);
  }
  return found;
}

/** The Octopus actions for listing and documentation: never run, so they get no connections to work with. */
function actionsForDocs(): Action[] {
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

/**
 * Lets the answer to a create or change show the subscription's state: waits for the reconcile
 * (at most a few seconds; a slow Octopus is reported by the state later, not by a hung request).
 */
async function settleSubscription(host: ConnectionHost, connectionId: string): Promise<void> {
  const { connections, reconciler } = octopusProcess(host);
  connections.forget(connectionId);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([reconciler.reconcileSoon(), new Promise((resolve) => (timer = setTimeout(resolve, 5_000)))]);
  clearTimeout(timer);
}

/** Records a deployment Deploy Release created or saw finish in the catalog, as a delivery about it would. */
async function seen(host: ConnectionHost, _ctx: ActionContext, open: OpenConnection, d: DeploymentSeen): Promise<void> {
  const connection = await host.connections.get(open.connection.id);
  if (!connection || !tracksDeploys(connection)) return;
  const now = new Date().toISOString();
  await host.commit((tx) =>
    observeDeployment(
      tx,
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

/**
 * The Octopus Deploy integration: the connection (server URL, space, API key), the subscription
 * Shipline keeps in Octopus, the receiver of its deliveries, the On Deployment Event trigger
 * (`octopus.deployment.*` events, filtered in reactions by connection, categories, project and
 * environment), and the Deploy Release and Create Release actions.
 */
export const octopusConnection: ConnectionType = {
  type: 'octopus',
  title: 'Octopus Deploy',
  description:
    'Connect an Octopus Deploy server (URL, space, API key). Shipline keeps its Octopus subscription itself, turns deliveries into events (deployments, releases created, machines, deployment process changes, octopus.event for the rest) and catalog deploys, and deploys or creates releases from reactions.',
  config: OctopusConfig,
  secrets: OctopusSecrets,
  normalizeConfig: (config) => ({ ...config, serverUrl: trimTrailingSlashes(String(config.serverUrl)) }),
  generatedSecrets: () => ({ [WEBHOOK_SECRET]: newWebhookSecret() }),

  /** `GET /api`, `GET /api/users/me`, resolve the space: `ready` with the space and version, or Octopus's message. */
  async test(connection, http, signal) {
    const connections = new OctopusConnections(async () => undefined, http);
    let settings: ReturnType<typeof readConnection<typeof OctopusConfig, typeof OctopusSecrets>>;
    try {
      settings = readConnection(octopusSchemas, connection);
    } catch (err) {
      return { status: 'error', error: errorMessage(err) };
    }
    const outcome = await connections.check(settings.config, settings.secrets.apiKey, signal);
    if (outcome.status === 'error') return { status: 'error', error: outcome.error };
    return {
      status: 'ready',
      state: {
        space: outcome.space,
        version: outcome.version,
        ...(outcome.installationId ? { installationId: outcome.installationId } : {}),
      },
    };
  },

  actions: actionsForDocs(),
  actionsFor(host) {
    const { connections } = octopusProcess(host);
    return [deployReleaseAction({ connections, seen: (ctx, open, d) => seen(host, ctx, open, d) }), createReleaseAction(connections)];
  },
  webhook: octopusWebhook((host) => octopusProcess(host).inbox),
  templates: OCTOPUS_TEMPLATES,
  events: OCTOPUS_EVENTS,
  trigger: OctopusTrigger,
  keepsSubscription: true,
  // The names the Octopus CLI reads, so a script can run it (or call the API) as the connection.
  scriptEnv: {
    variables: [
      { name: 'OCTOPUS_URL', description: 'The server URL', secret: false },
      { name: 'OCTOPUS_API_KEY', description: 'The API key; send it as the X-Octopus-ApiKey header', secret: true },
      {
        name: 'OCTOPUS_SPACE',
        description:
          "The space's id as the connection last resolved it (Spaces-1), else the space as configured; unset for the default space before the first test",
        secret: false,
      },
    ],
    values(connection) {
      const { config, secrets } = readConnection(octopusSchemas, connection);
      const space = (connection.state as OctopusState).space?.id ?? config.space;
      return { OCTOPUS_URL: config.serverUrl, OCTOPUS_API_KEY: secrets.apiKey, ...(space ? { OCTOPUS_SPACE: space } : {}) };
    },
  },
  resources: {
    kinds: RESOURCE_KINDS,
    async list(connection, kind, query, host) {
      try {
        return await listResources(octopusProcess(host).connections, connection.id, kind as ResourceKind, query);
      } catch (err) {
        throw asConnectionError(err);
      }
    },
  },

  start(host) {
    const { inbox, reconciler } = octopusProcess(host);
    inbox.start();
    reconciler.start();
    void warnOfStaleCategories(host);
  },
  async stop(host) {
    const { inbox, reconciler } = octopusProcess(host);
    await reconciler.stop();
    await inbox.stop();
  },
  created: (connection: Connection, host) => settleSubscription(host, connection.id),
  updated: (connection: Connection, host) => settleSubscription(host, connection.id),
  async tested(connection, host) {
    const { connections, reconciler } = octopusProcess(host);
    connections.forget(connection.id);
    void reconciler.reconcileSoon();
  },
  removed: (connection, host) => octopusProcess(host).reconciler.removeFor(connection),
  triggerWarnings: (connection, on, host) => octopusTriggerWarnings(octopusProcess(host).connections, connection, on),
};

/** Waits until the subscriptions reflect everything changed so far (tests). */
export function reconcileNow(host: ConnectionHost): Promise<void> {
  return octopusProcess(host).reconciler.reconcileSoon();
}

/** Octopus's own errors (and network failures) as the API reports them: 502 with Octopus's message, or 400 for a missing resource. */
function asConnectionError(err: unknown): unknown {
  if (err instanceof ShiplineError) return err;
  if (err instanceof NonRetriableOctopusError && err.status === 404) return new ShiplineError('request.invalid', err.message);
  if (err instanceof NonRetriableOctopusError || err instanceof OctopusApiError)
    return new ShiplineError('connection.unreachable', `Octopus answered ${err.status}: ${err.message}`);
  if (err instanceof Error) return new ShiplineError('connection.unreachable', `Octopus could not be reached: ${err.message}`);
  return err;
}

/** Logs each enabled reaction naming a category its `on.event` can no longer hear (see staleCategoryWarnings). */
async function warnOfStaleCategories(host: ConnectionHost): Promise<void> {
  try {
    for (const { reaction, warning } of staleCategoryWarnings(await host.reactions.enabled()))
      host.logger?.warn({ reaction }, `reaction "${reaction}": ${warning}`);
  } catch (err) {
    if (!host.reportOutage(err)) host.logger?.warn({ err }, 'could not check reactions for Octopus categories they no longer hear');
  }
}
