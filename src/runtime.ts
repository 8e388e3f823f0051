import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { parseDeployPayload } from './core/deploy-payload.js';
import { builtinActions } from './actions/index.js';
import { createHttpClient } from './actions/http/client.js';
import type { Store } from './store/index.js';
import { Engine } from './engine/engine.js';
import { Housekeeping } from './engine/housekeeping.js';
import { Scheduler } from './engine/scheduler.js';
import { ConnectionService } from './connections/service.js';
import { storeHost } from './connections/host.js';
import type { ConnectionHost } from './integrations/connection-host.js';
import { CONNECTION_TYPES } from './integrations/connection-types.js';
import { ActionRegistry } from './engine/registry.js';
import type { EngineDeps } from './engine/deps.js';

export interface RuntimeOptions {
  store: Store;
  workers: number;
  /** Default 30 s. */
  jobLeaseMs?: number;
  allowHosts: string[];
  scriptsEnabled: boolean;
  /** SHIPLINE_SCRIPT_USER; default `nobody` (when running as root). */
  scriptUser?: string | undefined;
  /** What scripts must not be able to read: the data directory and the *_FILE secret files. */
  privatePaths?: readonly string[];
  publicUrl: () => string;
  logger?: Logger;
  /** SHIPLINE_OCTOPUS_RECONCILE_INTERVAL; default 10 min. */
  octopusReconcileMs?: number;
  /** How often Octopus subscriptions look for changed reactions and connections; default 2 s. */
  octopusWatchMs?: number;
  /** The clock scheduled reactions tick by; default the system's. */
  scheduleClock?: () => Date;
}

export interface Runtime {
  registry: ActionRegistry;
  engine: Engine;
  housekeeping: Housekeeping;
  /** Fires scheduled reactions. */
  scheduler: Scheduler;
  /** What the providers are given: the store and the process, through ports. */
  host: ConnectionHost;
  connections: ConnectionService;
  start(): Promise<void>;
  close(): Promise<void>;
}

/** Deploys recorded by reactions come from this internal endpoint (created on first use). */
const BUILTIN_ENDPOINT = 'reactions (built-in)';

/** The actions, the guarded HTTP client and the engine, wired to a store. */
export function createRuntime(options: RuntimeOptions): Runtime {
  const { store } = options;
  const registry = new ActionRegistry(
    builtinActions({ scriptsEnabled: options.scriptsEnabled, scriptUser: options.scriptUser, privatePaths: options.privatePaths ?? [] }),
  );
  const http = createHttpClient({ allowHosts: options.allowHosts });
  const host = storeHost({
    store,
    http,
    publicUrl: options.publicUrl,
    owner: `shipline-${randomUUID()}`,
    logger: options.logger,
    reconcileIntervalMs: options.octopusReconcileMs,
    watchMs: options.octopusWatchMs,
  });
  for (const type of CONNECTION_TYPES) for (const action of type.actionsFor?.(host) ?? type.actions) registry.register(action);
  const connections = new ConnectionService(store, http, CONNECTION_TYPES, host);
  let endpointId: string | undefined;

  const deps: EngineDeps = {
    store,
    registry,
    http,
    publicUrl: options.publicUrl,
    ...(options.logger ? { logger: options.logger } : {}),
    async recordDeploy(payload) {
      const parsed = parseDeployPayload(payload);
      if (!parsed.ok) return { result: 'rejected', errors: parsed.errors };
      endpointId ??= (await store.endpoints.internal(BUILTIN_ENDPOINT)).id;
      const outcome = await store.ingest.record(endpointId, parsed.input, { internal: true });
      return outcome.deploy ? { result: outcome.result, deploy: outcome.deploy } : { result: outcome.result };
    },
  };
  const engine = new Engine(deps, { workers: options.workers, ...(options.jobLeaseMs ? { leaseMs: options.jobLeaseMs } : {}) });
  const housekeeping = new Housekeeping(store, options.logger ? { logger: options.logger } : {});
  const scheduler = new Scheduler(store, {
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.scheduleClock ? { now: options.scheduleClock } : {}),
  });
  return {
    registry,
    engine,
    housekeeping,
    scheduler,
    host,
    connections,
    async start() {
      await engine.start();
      for (const type of CONNECTION_TYPES) type.start?.(host);
      housekeeping.start();
      scheduler.start();
    },
    async close() {
      await scheduler.stop();
      await housekeeping.stop();
      for (const type of CONNECTION_TYPES) await type.stop?.(host);
      await engine.stop();
      await http.close();
    },
  };
}
