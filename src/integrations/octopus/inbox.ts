import type { Logger } from 'pino';
import { connectionSource } from '../../core/reactions/source-trigger.js';
import type { ConnectionWithSecrets } from '../../store/connections.js';
import type { Store } from '../../store/index.js';
import type { InboxItem } from '../../store/inbox.js';
import { catalogDedupId, observeDeployment, STATUS_OF_CATEGORY, tracksDeploys } from './catalog.js';
import type { OctopusConnections } from './connection.js';
import type { OctopusDelivery, ResolvedNames } from './payload.js';
import { DEPLOYMENT_EVENT_TYPES, deploymentKeys, eventData, eventTypeOf, parseDelivery } from './payload.js';

/** Inbox sources of Octopus deliveries: `octopus:<connection id>`. */
export const INBOX_PREFIX = 'octopus:';
/** How long a name lookup may hold an event back before it is stored without names. */
const NAMES_TIMEOUT_MS = 5_000;
/** Rows left pending this long (a crash, a failed commit) are picked up by the sweep. */
const SWEEP_AFTER_MS = 5_000;
const SWEEP_EVERY_MS = 5_000;

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

  constructor(
    private readonly store: Store,
    private readonly connections: OctopusConnections,
    private readonly logger?: Logger,
  ) {}

  /** Stores a delivery (deduplicated on connection + Event.Id); true when it was new. */
  async accept(connection: ConnectionWithSecrets, delivery: OctopusDelivery, body: unknown): Promise<boolean> {
    const seq = await this.store.commits.submit((run) => this.store.inbox.addIn(run, `${INBOX_PREFIX}${connection.id}`, delivery.eventId, body));
    if (seq === undefined) return false;
    this.queue.push({ seq, connectionId: connection.id, delivery });
    this.kick();
    return true;
  }

  start(): void {
    this.stopped = false;
    this.sweeper = setInterval(() => void this.sweep(), SWEEP_EVERY_MS);
    this.sweeper.unref();
    void this.sweep(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.sweeper);
    await this.idle;
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
      if (!this.store.db.outage.report(err)) this.logger?.error({ err }, 'processing Octopus deliveries failed; they stay in the inbox');
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
      const items: InboxItem[] = await this.store.inbox.pending(INBOX_PREFIX, 256, before);
      for (const item of items) {
        const parsed = parseDelivery(item.payload);
        if (!parsed.ok) {
          await this.store.inbox.failed(item.seq, parsed.error);
          continue;
        }
        this.queue.push({ seq: item.seq, connectionId: item.source.slice(INBOX_PREFIX.length), delivery: parsed.delivery });
      }
      if (items.length > 0) this.kick();
    } catch (err) {
      if (!this.store.db.outage.report(err)) this.logger?.warn({ err }, 'sweeping the Octopus inbox failed');
    }
  }

  private async process(batch: Queued[]): Promise<void> {
    const prepared = await Promise.all(batch.map(async (item) => {
      const connection = await this.store.connections.withSecrets(item.connectionId);
      const names = connection ? await this.names(connection, item.delivery) : {};
      return { item, connection, names };
    }));
    const now = new Date().toISOString();
    try {
      await this.store.commits.submit(async (run) => {
        for (const { item, connection, names } of prepared) {
          // A connection deleted since the delivery: nothing to attribute it to.
          if (connection) await this.storeOne(run, connection, item.delivery, names, now);
          await this.store.inbox.doneIn(run, item.seq, now);
        }
      });
    } catch (err) {
      if (!this.store.db.outage.report(err)) this.logger?.error({ err }, 'storing Octopus events failed; they stay in the inbox and are tried again');
      for (const { item } of prepared) await this.store.inbox.failed(item.seq, err instanceof Error ? err.message : String(err)).catch(() => undefined);
    }
  }

  private async storeOne(run: Parameters<Parameters<Store['commits']['submit']>[0]>[0], connection: ConnectionWithSecrets, d: OctopusDelivery, names: ResolvedNames & { projectSlug?: string | null }, now: string): Promise<void> {
    const { projectSlug, ...shown } = names;
    const data = eventData(d, shown);
    const stored = await this.store.events.appendIn(run, [{
      type: eventTypeOf(d.category),
      source: connectionSource(connection.name),
      data,
      sourceKey: `octopus:${connection.id}:${d.eventId}`,
      ...(d.occurredAt ? { timestamp: d.occurredAt } : {}),
      correlate: deploymentKeys(connection.id, d),
      // The deploy the catalog keeps for this deployment (if it tracks deploys) finds its events by this.
      subject: d.related.Deployments && DEPLOYMENT_EVENT_TYPES[d.category] ? catalogDedupId(connection.id, d.related.Deployments) : null,
    }], now);
    const status = STATUS_OF_CATEGORY[d.category];
    if (stored.length === 0 || !status || !d.related.Deployments || !tracksDeploys(connection)) return;
    const spaceId = d.spaceId ?? (connection.state as { space?: { id: string } }).space?.id;
    const server = (d.serverUri ?? (connection.config as { serverUrl: string }).serverUrl).replace(/\/+$/, '');
    await observeDeployment(run, this.store, connection, {
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
      webUrl: spaceId ? `${server}/app#/${spaceId}/deployments/${d.related.Deployments}` : null,
    }, now);
  }

  /** Project, environment and release names, from the connection's cache; nulls if Octopus is slow or down. */
  private async names(connection: ConnectionWithSecrets, d: OctopusDelivery): Promise<ResolvedNames & { projectSlug?: string | null }> {
    const r = d.related;
    if (!r.Projects && !r.Environments && !r.Releases) return {};
    const lookup = (async () => {
      const { resolver } = await this.connections.get(connection.id);
      const [projects, environments, releaseVersion] = await Promise.all([
        r.Projects ? resolver.projects() : [],
        r.Environments ? resolver.environments() : [],
        r.Releases ? resolver.releaseVersion(r.Releases).catch(() => null) : null,
      ]);
      const project = projects.find((p) => p.Id === r.Projects);
      const environment = environments.find((e) => e.Id === r.Environments);
      return {
        ...(r.Projects ? { projectName: project?.Name ?? null, projectSlug: project?.Slug ?? null } : {}),
        ...(r.Environments ? { environmentName: environment?.Name ?? null } : {}),
        ...(r.Releases ? { releaseVersion } : {}),
      };
    })();
    // Settled either way: a lookup that loses the race must not surface as an unhandled rejection.
    lookup.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([lookup, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), NAMES_TIMEOUT_MS)))]);
    } catch (err) {
      this.logger?.warn({ err, connection: connection.name, eventId: d.eventId }, 'could not resolve Octopus names; storing the event without them');
      return {};
    } finally {
      clearTimeout(timer);
    }
  }
}
