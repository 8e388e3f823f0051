import { connectionSource } from '../../core/reactions/source-trigger.js';
import type { ConnectionWithSecrets } from '../../core/connection.js';
import type { ConnectionHost, HostTransaction, InboxDelivery } from '../connection-host.js';
import { catalogDedupId, observeDeployment, STATUS_OF_CATEGORY, tracksDeploys } from './catalog.js';
import type { OctopusConnections } from './connection.js';
import { storableDelivery } from './delivery-secrets.js';
import type { OctopusDelivery, ResolvedMachine, ResolvedNames } from './payload.js';
import { deliveryEventType, DEPLOYMENT_EVENT_TYPES, deploymentKeys, eventData, parseDelivery, projectIdOf } from './payload.js';
import { trimTrailingSlashes } from '../../core/urls.js';
import { errorMessage } from '../../core/error-message.js';

/** Inbox sources of Octopus deliveries: `octopus:<connection id>`. */
export const INBOX_PREFIX = 'octopus:';
/** How long a name lookup may hold an event back before it is stored without names. */
const NAMES_TIMEOUT_MS = 5_000;
/** Rows left pending this long (a crash, a failed commit) are picked up by the sweep. */
const SWEEP_AFTER_MS = 5_000;
const SWEEP_EVERY_MS = 5_000;
/** Where the one-time removal of secrets from stored deliveries records that it ran. */
const CLEANUP_SCOPE = 'shipline:octopus';
const CLEANUP_KEY = 'inbox.subscription-secrets-removed';

interface Queued {
  seq: number;
  connectionId: string;
  delivery: OctopusDelivery;
}

/**
 * Turns stored deliveries into events: resolves the names (project, environment, release
 * version) through the connection's cache, then, in one transaction per batch, stores each
 * event (deduplicated on Octopus's Event.Id), advances the deploy catalog and marks the row
 * done. Deliveries stored by a process that died are picked up by the periodic sweep.
 */
export class OctopusInbox {
  private queue: Queued[] = [];
  private draining = false;
  private sweeper: NodeJS.Timeout | undefined;
  private stopped = false;
  private idle: Promise<void> = Promise.resolve();
  /** Resolves once the start's pass over stored deliveries (stripStoredSecrets) is done. */
  cleaned: Promise<void> = Promise.resolve();

  private readonly logger: ConnectionHost['logger'];

  constructor(
    private readonly host: ConnectionHost,
    private readonly connections: OctopusConnections,
  ) {
    this.logger = host.logger;
  }

  /**
   * Stores a delivery (deduplicated on connection + Event.Id) without the subscription's
   * credentials (see delivery-secrets.ts); true when it was new.
   */
  async accept(connection: ConnectionWithSecrets, delivery: OctopusDelivery, body: unknown): Promise<boolean> {
    const stored = storableDelivery(body, Object.values(connection.secrets));
    const seq = await this.host.commit((tx) => tx.addToInbox(`${INBOX_PREFIX}${connection.id}`, delivery.eventId, stored));
    if (seq === undefined) return false;
    // Processed from what was stored, as the sweep would: the event's message and the deploy's
    // description then hold the connection's secrets masked on this path too.
    const kept = parseDelivery(stored);
    this.queue.push({ seq, connectionId: connection.id, delivery: kept.ok ? kept.delivery : delivery });
    this.kick();
    return true;
  }

  start(): void {
    this.stopped = false;
    this.sweeper = setInterval(() => void this.sweep(), SWEEP_EVERY_MS);
    this.sweeper.unref();
    void this.sweep(0);
    this.cleaned = this.stripStoredSecrets();
  }

  /**
   * Earlier versions stored deliveries with the subscription's header value (the receiver's
   * secret) in plain text. Once per database, at start, every stored delivery is rewritten as
   * accept() stores one now; a flag in the key-value store marks it done. Chunked by seq, each
   * rewrite its own short transaction. A failure is logged and the next start tries again.
   */
  private async stripStoredSecrets(): Promise<void> {
    try {
      if ((await this.host.kv.get(CLEANUP_SCOPE, CLEANUP_KEY)) === true) return;
      const secrets = new Map<string, string[]>();
      let after = 0;
      let rewritten = 0;
      for (;;) {
        const items = await this.host.inbox.page(INBOX_PREFIX, after, 500);
        for (const item of items) {
          after = item.seq;
          const connectionId = item.source.slice(INBOX_PREFIX.length);
          if (!secrets.has(connectionId))
            secrets.set(connectionId, Object.values((await this.host.connections.get(connectionId))?.secrets ?? {}));
          const clean = storableDelivery(item.payload, secrets.get(connectionId)!);
          if (JSON.stringify(clean) === JSON.stringify(item.payload)) continue;
          await this.host.inbox.replacePayload(item.seq, clean);
          rewritten += 1;
        }
        if (items.length < 500 || this.stopped) break;
      }
      if (this.stopped) return;
      await this.host.kv.set(CLEANUP_SCOPE, CLEANUP_KEY, true);
      if (rewritten > 0) this.logger?.info({ deliveries: rewritten }, 'removed subscription secrets from stored Octopus deliveries');
    } catch (err) {
      this.logger?.warn({ err }, 'could not remove subscription secrets from stored Octopus deliveries; trying again at the next start');
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.sweeper);
    await this.idle;
    await this.cleaned;
  }

  private kick(): void {
    if (this.draining || this.stopped) return;
    this.draining = true;
    this.idle = new Promise<void>((resolve) => setImmediate(() => void this.drain().finally(resolve)));
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0 && !this.stopped) {
        const batch = this.queue.splice(0, 256);
        await this.process(batch);
      }
    } catch (err) {
      // Unheard, this rejection would end the process. The deliveries stay pending in the inbox
      // and the next sweep takes them again.
      if (!this.host.reportOutage(err)) this.logger?.error({ err }, 'processing Octopus deliveries failed; they stay in the inbox');
      this.queue.length = 0;
    } finally {
      this.draining = false;
    }
  }

  /** Deliveries left pending (older than a few seconds, so live ones are not raced). */
  private async sweep(olderThanMs = SWEEP_AFTER_MS): Promise<void> {
    if (this.stopped || this.draining) return;
    try {
      const before = new Date(Date.now() - olderThanMs).toISOString();
      const items: InboxDelivery[] = await this.host.inbox.pending(INBOX_PREFIX, 256, before);
      for (const item of items) {
        const parsed = parseDelivery(item.payload);
        if (!parsed.ok) {
          await this.host.inbox.failed(item.seq, parsed.error);
          continue;
        }
        this.queue.push({ seq: item.seq, connectionId: item.source.slice(INBOX_PREFIX.length), delivery: parsed.delivery });
      }
      if (items.length > 0) this.kick();
    } catch (err) {
      if (!this.host.reportOutage(err)) this.logger?.warn({ err }, 'sweeping the Octopus inbox failed');
    }
  }

  private async process(batch: Queued[]): Promise<void> {
    const prepared = await Promise.all(
      batch.map(async (item) => {
        const connection = await this.host.connections.get(item.connectionId);
        const [names, machine] = connection
          ? await Promise.all([this.names(connection, item.delivery), this.machine(connection, item.delivery)])
          : [{}, undefined];
        return { item, connection, names, machine };
      }),
    );
    const now = new Date().toISOString();
    try {
      await this.host.commit(async (tx) => {
        for (const { item, connection, names, machine } of prepared) {
          // A connection deleted since the delivery: nothing to attribute it to.
          if (connection) await this.storeOne(tx, connection, item.delivery, names, machine, now);
          await tx.markDone(item.seq, now);
        }
      });
    } catch (err) {
      if (!this.host.reportOutage(err))
        this.logger?.error({ err }, 'storing Octopus events failed; they stay in the inbox and are tried again');
      for (const { item } of prepared) await this.host.inbox.failed(item.seq, errorMessage(err)).catch(() => undefined);
    }
  }

  private async storeOne(
    tx: HostTransaction,
    connection: ConnectionWithSecrets,
    d: OctopusDelivery,
    names: ResolvedNames & { projectSlug?: string | null },
    machine: ResolvedMachine | undefined,
    now: string,
  ): Promise<void> {
    const { projectSlug, ...shown } = names;
    const data = eventData(d, shown, machine);
    const stored = await tx.appendEvents(
      [
        {
          type: deliveryEventType(d),
          source: connectionSource(connection.name),
          data,
          sourceKey: `octopus:${connection.id}:${d.eventId}`,
          ...(d.occurredAt ? { timestamp: d.occurredAt } : {}),
          correlate: deploymentKeys(connection.id, d),
          // The deploy the catalog keeps for this deployment (if it tracks deploys) finds its events by this.
          subject:
            d.related.Deployments && DEPLOYMENT_EVENT_TYPES[d.category] ? catalogDedupId(connection.id, d.related.Deployments) : null,
        },
      ],
      now,
    );
    const status = STATUS_OF_CATEGORY[d.category];
    if (stored.length === 0 || !status || !d.related.Deployments || !tracksDeploys(connection)) return;
    const spaceId = d.spaceId ?? (connection.state as { space?: { id: string } }).space?.id;
    const server = trimTrailingSlashes(d.serverUri ?? (connection.config as { serverUrl: string }).serverUrl);
    await observeDeployment(
      tx,
      connection,
      {
        deploymentId: d.related.Deployments,
        status,
        projectName: names.projectName ?? null,
        projectSlug: projectSlug ?? null,
        projectId: d.related.Projects ?? null,
        environmentName: names.environmentName ?? null,
        environmentId: d.related.Environments ?? null,
        releaseVersion: names.releaseVersion ?? null,
        releaseId: d.related.Releases ?? null,
        occurredAt: d.occurredAt ?? now,
        message: d.message,
        username: d.username,
        userId: d.userId,
        webUrl: spaceId ? `${server}/app#/${spaceId}/deployments/${d.related.Deployments}` : null,
      },
      now,
    );
  }

  /**
   * The deployment target a machine event is about (`GET /api/{space}/machines/{id}`): its name,
   * environments and roles; nulls when it is gone (deleted) or Octopus is slow or down.
   */
  private async machine(connection: ConnectionWithSecrets, d: OctopusDelivery): Promise<ResolvedMachine | undefined> {
    const machineId = d.related.Machines;
    if (!machineId || !deliveryEventType(d).startsWith('octopus.machine.')) return undefined;
    const unknown: ResolvedMachine = { name: null, environmentIds: null, roles: null };
    const lookup = (async (): Promise<ResolvedMachine> => {
      const { resolver } = await this.connections.get(connection.id);
      const found = await resolver.machine(machineId);
      if (!found) return unknown;
      return {
        name: typeof found.Name === 'string' ? found.Name : null,
        environmentIds: Array.isArray(found.EnvironmentIds) ? found.EnvironmentIds.filter((e) => typeof e === 'string') : null,
        roles: Array.isArray(found.Roles) ? found.Roles.filter((e) => typeof e === 'string') : null,
      };
    })();
    return (await this.withinBudget(lookup, connection, d, 'could not read the Octopus machine; storing the event without it')) ?? unknown;
  }

  /** A lookup's answer, or undefined when it fails or takes longer than NAMES_TIMEOUT_MS (logged). */
  private async withinBudget<T>(lookup: Promise<T>, connection: ConnectionWithSecrets, d: OctopusDelivery, warning: string) {
    // Settled either way: a lookup that loses the race must not surface as an unhandled rejection.
    lookup.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        lookup,
        new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), NAMES_TIMEOUT_MS))),
      ]);
    } catch (err) {
      this.logger?.warn({ err, connection: connection.name, eventId: d.eventId }, warning);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Project, environment and release names, from the connection's cache; nulls if Octopus is slow or down. */
  private async names(connection: ConnectionWithSecrets, d: OctopusDelivery): Promise<ResolvedNames & { projectSlug?: string | null }> {
    const r = d.related;
    const projectId = projectIdOf(d);
    if (!projectId && !r.Environments && !r.Releases) return {};
    const lookup = (async () => {
      const { resolver } = await this.connections.get(connection.id);
      const [projects, environments, releaseVersion] = await Promise.all([
        projectId ? resolver.projects() : [],
        r.Environments ? resolver.environments() : [],
        r.Releases ? resolver.releaseVersion(r.Releases).catch(() => null) : null,
      ]);
      const project = projects.find((p) => p.Id === projectId);
      const environment = environments.find((e) => e.Id === r.Environments);
      return {
        ...(projectId ? { projectName: project?.Name ?? null, projectSlug: project?.Slug ?? null } : {}),
        ...(r.Environments ? { environmentName: environment?.Name ?? null } : {}),
        ...(r.Releases ? { releaseVersion } : {}),
      };
    })();
    return (await this.withinBudget(lookup, connection, d, 'could not resolve Octopus names; storing the event without them')) ?? {};
  }
}
