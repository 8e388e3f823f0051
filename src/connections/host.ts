import type { Logger } from 'pino';
import type { HttpClient } from '../engine/action.js';
import type { ConnectionHost } from '../integrations/connection-host.js';
import { connectionSource } from '../core/reactions/source-trigger.js';
import { recordOrAdvanceIn } from '../store/catalog.js';
import type { Store } from '../store/index.js';

export interface HostOptions {
  store: Store;
  http: HttpClient;
  publicUrl: () => string;
  /** A unique name for this process (who holds a lease). */
  owner: string;
  logger?: Logger | undefined;
  /** SHIPLINE_OCTOPUS_RECONCILE_INTERVAL; default (the provider's) 10 min. */
  reconcileIntervalMs?: number | undefined;
  /** How often providers look for changed reactions and connections; default (the provider's) 2 s. */
  watchMs?: number | undefined;
}

/** The store-backed ports the providers are given: what they may ask of the store, and nothing more. */
export function storeHost(options: HostOptions): ConnectionHost {
  const { store } = options;
  return {
    installationId: store.installationId,
    publicUrl: options.publicUrl,
    http: options.http,
    owner: options.owner,
    logger: options.logger,
    reconcile: { intervalMs: options.reconcileIntervalMs, watchMs: options.watchMs },
    connections: {
      get: (nameOrId) => store.connections.withSecrets(nameOrId),
      list: (type) => store.connections.list(type),
      async setState(id, patch) {
        await store.connections.setState(id, patch);
      },
      onChange: (listener) => store.connections.onChange(listener),
      waitingIds: (prefix) => store.connections.waitingConnectionIds(prefix),
    },
    reactions: {
      generation: () => store.reactions.generation(),
      async enabled() {
        const { reactions } = await store.db.transaction((run) => store.reactions.loadEnabled(run));
        return reactions.map((r) => r.spec);
      },
    },
    leases: {
      acquire: (name, owner, ms) => store.leases.acquire(name, owner, ms),
      release: (name, owner) => store.leases.release(name, owner),
    },
    kv: {
      get: (scope, key) => store.kv.get(scope, key),
      set: (scope, key, value) => store.kv.set(scope, key, value),
    },
    inbox: {
      pending: (prefix, limit, before) => store.inbox.pending(prefix, limit, before),
      page: (prefix, after, limit) => store.inbox.page(prefix, after, limit),
      replacePayload: (seq, payload) => store.inbox.replacePayload(seq, payload),
      failed: (seq, error) => store.inbox.failed(seq, error),
    },
    commit: (work) =>
      store.commits.submit((run) =>
        work({
          addToInbox: (source, key, payload) => store.inbox.addIn(run, source, key, payload),
          markDone: (seq, now) => store.inbox.doneIn(run, seq, now),
          appendEvents: (events, now) => store.events.appendIn(run, events, now),
          async recordDeploy(connection, deploy, now) {
            // Its events name the connection, as the provider's own events do, not the internal endpoint.
            const reported = { ...deploy, endpointId: connection.endpointId, eventSource: connectionSource(connection.name) };
            await recordOrAdvanceIn(run, store, reported, now);
          },
        }),
      ),
    reportOutage: (err) => store.db.outage.report(err),
  };
}
