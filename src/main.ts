import type { Config } from './config.js';
import { createLogger } from './server/logger.js';
import { returnMemoryWhenQuiet } from './idle-memory.js';
import { createRuntime } from './runtime.js';
import { buildApp } from './server/app.js';
import { SetupCode } from './server/setup-code.js';
import { openStore } from './store/index.js';
import { triggerDeclarations } from './core/reactions/source-trigger.js';
import { CONNECTION_TYPES } from './integrations/connection-types.js';
import type { Store } from './store/index.js';
import { FIRST_START_TOKEN } from './store/tokens.js';

export interface RunningShipline {
  /** The address the server actually listens on, e.g. http://127.0.0.1:8080. */
  url: string;
  store: Store;
  close(): Promise<void>;
}

/**
 * Makes sure an admin can get in: the token from SHIPLINE_ADMIN_TOKEN, or on a store with no
 * admin yet a fresh one, returned so the caller can print it once.
 */
async function bootstrapAdmin(store: Store, config: Config): Promise<string | undefined> {
  if (config.adminToken) {
    await store.tokens.ensure('admin (SHIPLINE_ADMIN_TOKEN)', 'admin', config.adminToken);
    return undefined;
  }
  if (await store.tokens.hasActiveAdmin()) return undefined;
  return (await store.tokens.create(FIRST_START_TOKEN, 'admin')).token;
}

/**
 * The process: config → store (migrated) → server.listen. Prints the URL and, once, a new admin
 * token; while no account exists, a setup code for the web UI's setup page (unless
 * `firstRunSetup` is false, default true: the demo makes its own admin).
 */
export async function startShipline(config: Config, { firstRunSetup = true } = {}): Promise<RunningShipline> {
  const logger = createLogger(config.logLevel);
  const store = openStore({
    ...config,
    triggers: triggerDeclarations(CONNECTION_TYPES),
    onWarning: (message) => logger.warn(message),
    // One line when an outage starts and one when it ends, whatever fails meanwhile.
    onOutage: (change) =>
      change.state === 'down'
        ? logger.error({ reason: change.reason }, `store unavailable: answering 503 until it is reachable again (${change.reason})`)
        : logger.warn({ downMs: change.downMs }, `store reachable again after ${(change.downMs / 1000).toFixed(1)} s`),
  });
  try {
    await store.migrate();
  } catch (err) {
    await store.close();
    throw err;
  }
  const site = { publicUrl: config.publicUrl ?? '', bodyLimit: config.bodyLimit, trustProxy: config.trustProxy };
  const runtime = createRuntime({
    store,
    workers: config.workers,
    jobLeaseMs: config.jobLeaseMs,
    allowHosts: config.allowHosts,
    scriptsEnabled: config.scriptsEnabled,
    scriptUser: config.scriptUser,
    privatePaths: [config.dataDir, ...config.secretFiles],
    publicUrl: () => site.publicUrl,
    logger,
    octopusReconcileMs: config.octopusReconcileMs,
  });
  let started = false;
  const setupCode = new SetupCode();
  const app = await buildApp({
    ready: () => started,
    store,
    setupCode,
    config: site,
    logger,
    registry: runtime.registry,
    engine: runtime.engine,
    connections: runtime.connections,
  });
  // A start that fails closes what it opened, so the process can exit with the error.
  const abandon = async (err: unknown): Promise<never> => {
    await app.close().catch(() => undefined);
    await runtime.close().catch(() => undefined);
    await store.close();
    throw err;
  };
  await app.listen({ port: config.port, host: config.host }).catch(abandon);
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  // No request is served before listen, so nobody sees the URL before it is settled here.
  site.publicUrl ||= `http://localhost:${port}`;
  await runtime.start().catch(abandon);
  started = true;
  // Only once the server listens: a start that fails (a busy port) must not keep a first admin
  // token that was never printed, or the next start, finding an admin, prints none.
  const newAdminToken = await bootstrapAdmin(store, config).catch(abandon);
  // Issued only while no account exists: anyone who reads this console may claim the server.
  const firstRun = firstRunSetup && !(await store.users.any().catch(abandon));
  // These lines are for the person starting the server, so they bypass the JSON log; one write,
  // so whoever waits for the listening line has the others with it.
  const lines = [`Shipline listening on ${url} (store: ${store.db.describe})`];
  if (newAdminToken) lines.push(`Admin API token (shown once, keep it safe): ${newAdminToken}`);
  if (firstRun)
    lines.push(`First run: open ${site.publicUrl}/setup and enter the setup code ${setupCode.issue()} to create the first admin`);
  process.stdout.write(`${lines.join('\n')}\n`);
  // What the start grew is given back once the process is first quiet, and a burst's once it has settled.
  const stopReturningMemory = returnMemoryWhenQuiet({ logger });
  let closing: Promise<void> | undefined;
  return {
    url,
    store,
    close: () => {
      // app.close stops accepting and lets in-flight requests finish; the engine lets its
      // in-flight steps finish (their leases cover anything cut short); then the store closes.
      stopReturningMemory();
      closing ??= app
        .close()
        .then(() => runtime.close())
        .then(() => store.close());
      return closing;
    },
  };
}

/** Runs until SIGTERM or SIGINT, then shuts down gracefully. */
export async function runUntilSignalled(config: Config): Promise<void> {
  // Heard from the first moment (a signal is handled on a later turn of the event loop than
  // this one): the server answers (/readyz) before the engine and the first admin token are set
  // up, and a signal in between would otherwise end the process on the spot. A stop waits for
  // the start to finish, then closes what it opened.
  const starting = startShipline(config);
  const stop = (signal: string) => {
    process.stdout.write(`Received ${signal}, shutting down\n`);
    starting
      .then((running) => running.close())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          console.error(err);
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  await starting;
}

/** Applies pending migrations and returns their names. */
export async function migrateStore(config: Config): Promise<string[]> {
  const store = openStore(config);
  try {
    return await store.migrate();
  } finally {
    await store.close();
  }
}
