import type { ConnectionWithSecrets } from '../../core/connection.js';
import type { ConnectionHost } from '../connection-host.js';
import { tracksDeploys } from './catalog.js';
import type { Needed } from './categories.js';
import { asFilter, neededCategories } from './categories.js';
import type { OctopusClient } from './client.js';
import { isNotFound, spacePath } from './client.js';
import type { OctopusConnections, OctopusState } from './connection.js';
import { WEBHOOK_SECRET } from './connection.js';
import { unreachableWarning } from './reachability.js';
import { resolveSpace } from './resolve.js';
import { SECRET_HEADER } from './webhook-handler.js';
import { trimTrailingSlashes } from '../../core/urls.js';
import { errorMessage } from '../../core/error-message.js';

/** Wait keys of Deploy Release steps start with this, then the connection id. */
export const WAIT_PREFIX = 'octopus.deployment:';
const LEASE = 'octopus.subscriptions';
const FILTER_KEYS = [
  'Users',
  'Projects',
  'ProjectGroups',
  'Environments',
  'EventGroups',
  'EventCategories',
  'EventAgents',
  'Tenants',
  'Tags',
  'DocumentTypes',
] as const;

export interface ReconcilerOptions {
  /** Full reconciliation this often; default 10 min (SHIPLINE_OCTOPUS_RECONCILE_INTERVAL). */
  intervalMs?: number;
  /** How often to look for changed reactions, connections or waits; default 2 s. */
  watchMs?: number;
}

interface Subscription {
  Id: string;
  Name: string;
  IsDisabled?: boolean;
  EventNotificationSubscription?: {
    Filter?: Record<string, unknown>;
    WebhookURI?: string | null;
    WebhookHeaderKey?: string | null;
    WebhookHeaderValue?: unknown;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export function subscriptionName(connectionName: string, installationId: string): string {
  return `Shipline ${connectionName} (${installationId})`;
}

/**
 * Keeps exactly one Octopus subscription per connection in use, carrying the categories Shipline
 * needs — created when missing, repaired when changed or disabled in Octopus, narrowed when
 * reactions go away, deleted with the connection. Runs at start, when reactions, connections or
 * waits change, and every `intervalMs`; one instance at a time holds the lease to do it.
 */
/** How long a stop waits for a reconcile under way. */
const STOP_GRACE_MS = 10_000;

export class SubscriptionReconciler {
  private timer: NodeJS.Timeout | undefined;
  private watcher: NodeJS.Timeout | undefined;
  private fingerprint = '';
  private chain: Promise<void> = Promise.resolve();
  private queued = false;
  private stopped = false;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly host: ConnectionHost,
    private readonly connections: OctopusConnections,
    private readonly options: ReconcilerOptions = {},
  ) {}

  start(): void {
    this.stopped = false;
    this.unsubscribe = this.host.connections.onChange(({ kind, connection }) => {
      if (connection.type === 'octopus' && kind !== 'deleted') this.reconcileSoon();
    });
    this.timer = setInterval(() => this.reconcileSoon(), this.options.intervalMs ?? 10 * 60_000);
    this.timer.unref();
    this.watcher = setInterval(() => void this.watch(), this.options.watchMs ?? 2_000);
    this.watcher.unref();
    this.reconcileSoon();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    clearInterval(this.timer);
    clearInterval(this.watcher);
    // A reconcile under way finishes if it can; a slow Octopus (each request may take up to its
    // timeout) must not hold a shutdown for minutes. What it left undone, the next start redoes.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.chain, new Promise((resolve) => (timer = setTimeout(resolve, STOP_GRACE_MS)))]);
    clearTimeout(timer);
    await this.host.leases.release(LEASE, this.host.owner).catch(() => undefined);
  }

  /** Reconciles every Octopus connection once more, coalescing requests made meanwhile. */
  reconcileSoon(): Promise<void> {
    if (this.queued) return this.chain;
    this.queued = true;
    return this.enqueue(async () => {
      this.queued = false;
      await this.reconcileAll();
    });
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    this.chain = this.chain
      .then(() => (this.stopped ? undefined : work()))
      .catch((err: unknown) => {
        // After a stop the store may be closed under a reconcile that outlived the grace: not news.
        if (this.stopped) return;
        if (!this.host.reportOutage(err)) this.host.logger?.error({ err }, 'reconciling Octopus subscriptions failed');
      });
    return this.chain;
  }

  /** Cheap reads; a change in reactions, connections or waiting steps triggers a reconcile. */
  private async watch(): Promise<void> {
    try {
      const connections = await this.host.connections.list('octopus');
      // Without Octopus connections there is nothing to keep (a deleted one's subscription goes
      // with the delete): one read, not three, every tick.
      if (connections.length === 0) {
        this.fingerprint = '';
        return;
      }
      const [generation, waiting] = await Promise.all([this.host.reactions.generation(), this.host.connections.waitingIds(WAIT_PREFIX)]);
      const next = JSON.stringify([generation, connections.map((c) => `${c.id}@${c.updatedAt}`), [...waiting].sort()]);
      if (next !== this.fingerprint) {
        this.fingerprint = next;
        await this.reconcileSoon();
      }
    } catch (err) {
      // A store outage is logged once by the store, not every tick.
      if (!this.host.reportOutage(err)) this.host.logger?.warn({ err }, 'checking for Octopus subscription changes failed');
    }
  }

  private async reconcileAll(): Promise<void> {
    const leaseMs = Math.max(60_000, (this.options.watchMs ?? 2_000) * 10);
    if (!(await this.host.leases.acquire(LEASE, this.host.owner, leaseMs))) return;
    const connections = await this.host.connections.list('octopus');
    if (connections.length === 0) return;
    const [specs, waiting] = await Promise.all([this.host.reactions.enabled(), this.host.connections.waitingIds(WAIT_PREFIX)]);
    for (const { id } of connections) {
      const connection = await this.host.connections.get(id);
      if (!connection) continue;
      const needed = neededCategories(specs, connection.name, {
        trackDeploys: tracksDeploys(connection),
        waiting: waiting.has(connection.id),
      });
      await this.reconcileOne(connection, needed);
    }
  }

  private async reconcileOne(connection: ConnectionWithSecrets, needed: Needed): Promise<void> {
    const now = new Date().toISOString();
    const previous = (connection.state as OctopusState).subscription;
    const categories = asFilter(needed);
    try {
      const { client, resolver } = await this.connections.get(connection.id);
      const base = spacePath(resolver.spaceId, '/subscriptions');
      const name = subscriptionName(connection.name, this.host.installationId);
      const all = await client.get<Subscription[]>(`${base}/all`);
      const mine = all.find((s) => s.Id === previous?.id && s.Name === name) ?? all.find((s) => s.Name === name);
      const inUse = needed === 'all' || needed.size > 0;
      if (!inUse) {
        if (mine) await client.delete(`${base}/${encodeURIComponent(mine.Id)}`);
        await this.saveState(connection, { id: null, categories: [], lastReconciledAt: now, error: null });
        return;
      }
      const secret = connection.secrets[WEBHOOK_SECRET] ?? '';
      const uri = `${trimTrailingSlashes(this.host.publicUrl())}/hooks/octopus/${connection.id}`;
      let id: string;
      if (!mine) {
        const created = await client.post<Subscription>(base, desired(name, resolver.spaceId, uri, secret, categories));
        id = created.Id;
        this.host.logger?.info({ connection: connection.name, subscription: id, categories }, 'created the Octopus subscription');
      } else {
        id = mine.Id;
        const drift = driftOf(mine, uri, secret, categories);
        if (drift.length > 0) {
          await client.put(`${base}/${encodeURIComponent(mine.Id)}`, repaired(mine, name, resolver.spaceId, uri, secret, categories));
          this.host.logger?.info({ connection: connection.name, subscription: id, drift }, 'repaired the Octopus subscription');
        }
      }
      const warning = unreachableWarning(this.host.publicUrl(), (connection.config as { serverUrl: string }).serverUrl);
      await this.saveState(connection, { id, categories, lastReconciledAt: now, error: null, warning });
    } catch (err) {
      const error = errorMessage(err);
      this.host.logger?.warn({ err, connection: connection.name }, 'reconciling the Octopus subscription failed');
      await this.saveState(connection, {
        id: previous?.id ?? null,
        categories: previous?.categories ?? [],
        lastReconciledAt: previous?.lastReconciledAt ?? null,
        error,
      });
    }
  }

  private async saveState(connection: ConnectionWithSecrets, subscription: NonNullable<OctopusState['subscription']>): Promise<void> {
    await this.host.connections.setState(connection.id, { subscription });
  }

  /** The connection was deleted: its subscription goes too (best effort; logged when it cannot). */
  removeFor(connection: ConnectionWithSecrets): Promise<void> {
    return this.enqueue(() => this.remove(connection));
  }

  private async remove(connection: ConnectionWithSecrets): Promise<void> {
    try {
      const client: OctopusClient = this.connections.clientFor(connection);
      const state = connection.state as OctopusState;
      const spaceId = state.space?.id ?? (await resolveSpace(client, (connection.config as { space?: string }).space)).Id;
      const base = spacePath(spaceId, '/subscriptions');
      const name = subscriptionName(connection.name, this.host.installationId);
      const all = await client.get<Subscription[]>(`${base}/all`);
      for (const s of all.filter((x) => x.Name === name || x.Id === state.subscription?.id)) {
        try {
          await client.delete(`${base}/${encodeURIComponent(s.Id)}`);
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }
    } catch (err) {
      this.host.logger?.warn({ err, connection: connection.name }, 'could not delete the Octopus subscription of a deleted connection');
    }
  }
}

function emptyFilter(categories: string[]): Record<string, string[]> {
  const filter: Record<string, string[]> = {};
  for (const key of FILTER_KEYS) filter[key] = [];
  filter.EventCategories = categories;
  return filter;
}

function desired(name: string, spaceId: string, uri: string, secret: string, categories: string[]) {
  return {
    Name: name,
    Type: 'Event',
    IsDisabled: false,
    SpaceId: spaceId,
    EventNotificationSubscription: {
      Filter: emptyFilter(categories),
      WebhookURI: uri,
      WebhookTimeout: '00:00:10',
      WebhookHeaderKey: SECRET_HEADER,
      WebhookHeaderValue: secret,
      WebhookTeams: [],
      EmailTeams: [],
    },
  };
}

/** The existing subscription with Shipline's parts put back; the header value in the form the server uses. */
function repaired(mine: Subscription, name: string, spaceId: string, uri: string, secret: string, categories: string[]) {
  const want = desired(name, spaceId, uri, secret, categories);
  const sensitive =
    mine.EventNotificationSubscription?.WebhookHeaderValue !== null &&
    typeof mine.EventNotificationSubscription?.WebhookHeaderValue === 'object';
  return {
    ...mine,
    ...want,
    Id: mine.Id,
    EventNotificationSubscription: {
      ...mine.EventNotificationSubscription,
      ...want.EventNotificationSubscription,
      WebhookHeaderValue: sensitive ? { HasValue: true, NewValue: secret } : secret,
    },
  };
}

/** What differs from what Shipline needs; a sensitive header value Octopus will not show is trusted. */
function driftOf(mine: Subscription, uri: string, secret: string, categories: string[]): string[] {
  const drift: string[] = [];
  const ens = mine.EventNotificationSubscription ?? {};
  if (mine.IsDisabled) drift.push('disabled');
  if (ens.WebhookURI !== uri) drift.push('WebhookURI');
  if ((ens.WebhookHeaderKey ?? '').toLowerCase() !== SECRET_HEADER.toLowerCase()) drift.push('WebhookHeaderKey');
  const value = ens.WebhookHeaderValue;
  if (typeof value === 'string' ? value !== secret : value === null || value === undefined) drift.push('WebhookHeaderValue');
  else if (typeof value === 'object' && (value as { HasValue?: boolean }).HasValue === false) drift.push('WebhookHeaderValue');
  const filter = ens.Filter ?? {};
  const have = Array.isArray(filter.EventCategories) ? [...(filter.EventCategories as string[])].sort() : [];
  if (JSON.stringify(have) !== JSON.stringify(categories)) drift.push('EventCategories');
  for (const key of FILTER_KEYS) {
    if (key === 'EventCategories') continue;
    const list = filter[key];
    if (Array.isArray(list) && list.length > 0) drift.push(key);
  }
  return drift;
}
