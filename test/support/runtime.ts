import { Writable } from 'node:stream';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { pino } from 'pino';
import type { Role } from '../../src/core/vocabulary.js';
import type { Action } from '../../src/engine/action.js';
import { octopusProcess } from '../../src/integrations/octopus/index.js';
import { createRuntime } from '../../src/runtime.js';
import type { Runtime } from '../../src/runtime.js';
import { buildApp } from '../../src/server/app.js';
import { openStore } from '../../src/store/index.js';
import { triggerDeclarations } from '../../src/core/reactions/source-trigger.js';
import { CONNECTION_TYPES } from '../../src/integrations/connection-types.js';
import type { Store } from '../../src/store/index.js';
import type { DialectName, TestDatabase } from './databases.js';
import { freshDatabase } from './databases.js';
import { seedPayload } from './app.js';
import { eventually } from './sink.js';

/** The master key every test store uses (so no key file lands in a shared temp directory). */
export const TEST_MASTER_KEY = Buffer.alloc(32, 7).toString('base64');

export interface EngineTestApp {
  app: FastifyInstance;
  store: Store;
  runtime: Runtime;
  database: TestDatabase;
  tokens: Record<Role, string>;
  /** The listening URL when started with `listen: true`. */
  url: string | undefined;
  /** Every log line the app and engine wrote (level debug and up). */
  logs: string[];
  api(opts: InjectOptions & { role?: Role }): Promise<LightMyRequestResponse>;
  /** PUTs a reaction document; fails the test on anything but 200/201. */
  applyReaction(document: Record<string, unknown>): Promise<void>;
  /** Records a deploy through the webhook; returns the new deploy's event id. */
  ingest(overrides?: Record<string, unknown>): Promise<void>;
  /** Resolves with the run once it reached one of `statuses`. */
  runReaching(filter: { reaction: string }, statuses: string[], timeoutMs?: number): Promise<RunBody>;
  /** Stops engine, app and store, keeping the database (for restart tests). */
  stop(): Promise<void>;
  close(): Promise<void>;
}

export interface RunBody {
  id: string;
  status: string;
  steps: Array<{
    id: string;
    status: string;
    channel: string | null;
    attempt: number;
    idempotencyKey: string;
    input: unknown;
    output: unknown;
    error: string | null;
    logs: string[];
  }>;
}

/** The real app and engine over a migrated database (fresh unless one is given). */
export interface EngineAppOptions {
  database?: TestDatabase;
  workers?: number;
  extraActions?: Action[];
  /** Listen on 127.0.0.1 (a free port) so outside senders (the Octopus stand-in) can deliver; `url` is then set. */
  listen?: boolean;
  /** How often Octopus subscriptions look for changes; default 100 ms in tests. */
  octopusWatchMs?: number;
  /** The clock scheduled reactions tick by (default the system's). */
  scheduleClock?: () => Date;
  /** The built web UI to serve (default dist/web; SHIPLINE_WEB_ROOT overrides for parallel UI builds). */
  webRoot?: string;
}

export async function startEngineApp(dialect: DialectName, options: EngineAppOptions = {}): Promise<EngineTestApp> {
  const database = options.database ?? (await freshDatabase(dialect));
  const store = openStore({ ...database.options, masterKey: TEST_MASTER_KEY, triggers: triggerDeclarations(CONNECTION_TYPES) });
  await store.migrate();
  const logs: string[] = [];
  const logger = pino(
    { level: 'debug' },
    new Writable({
      write(chunk: Buffer, _enc, done) {
        logs.push(chunk.toString('utf8'));
        done();
      },
    }),
  );
  const site = { publicUrl: 'http://shipline.test', bodyLimit: 1024 * 1024 };
  const runtime = createRuntime({
    store,
    workers: options.workers ?? 8,
    allowHosts: ['127.0.0.1'],
    scriptsEnabled: true,
    publicUrl: () => (options.listen ? site.publicUrl : 'http://127.0.0.1:9'),
    logger,
    octopusWatchMs: options.octopusWatchMs ?? 100,
    ...(options.scheduleClock ? { scheduleClock: options.scheduleClock } : {}),
  });
  for (const action of options.extraActions ?? []) runtime.registry.register(action);
  const app = await buildApp({
    store,
    config: site,
    logger,
    registry: runtime.registry,
    engine: runtime.engine,
    connections: runtime.connections,
    webRoot: options.webRoot ?? process.env.SHIPLINE_WEB_ROOT,
  });
  let url: string | undefined;
  if (options.listen) {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address() as { port: number };
    url = `http://127.0.0.1:${address.port}`;
    site.publicUrl = url;
  }
  await runtime.start();
  // The start's one-time pass over stored Octopus deliveries writes a flag when done: tests that
  // count rows begin once it has, not while it may still write.
  await octopusProcess(runtime.host).inbox.cleaned;
  const tokens = {} as Record<Role, string>;
  for (const role of ['read', 'write', 'admin'] as const) tokens[role] = (await store.tokens.create(`test ${role}`, role)).token;
  const api: EngineTestApp['api'] = ({ role = 'admin', ...opts }) =>
    app.inject({ ...opts, headers: { authorization: `Bearer ${tokens[role]}`, ...opts.headers } });
  let endpointPath: string | undefined;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await slowStepSaid('app.close', () => app.close());
    await slowStepSaid('runtime.close', () => runtime.close());
    await slowStepSaid('store.close', () => store.close());
  };
  return {
    app,
    store,
    runtime,
    database,
    tokens,
    logs,
    api,
    url,
    async applyReaction(document) {
      const res = await api({ method: 'PUT', url: `/api/v1/reactions/${String(document.name)}`, payload: document });
      if (res.statusCode !== 200 && res.statusCode !== 201)
        throw new Error(`apply ${String(document.name)}: ${res.statusCode} ${res.body}`);
    },
    async ingest(overrides = {}) {
      if (!endpointPath) {
        const res = await api({ method: 'POST', url: '/api/v1/deploy-endpoints', payload: { name: 'ci' } });
        endpointPath = new URL(res.json<{ url: string }>().url).pathname;
      }
      const res = await app.inject({
        method: 'POST',
        url: endpointPath,
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify(seedPayload({ dedup_id: undefined, ...overrides })),
      });
      if (res.statusCode !== 202) throw new Error(`ingest: ${res.statusCode} ${res.body}`);
    },
    async runReaching(filter, statuses, timeoutMs = 15_000) {
      return eventually(
        async () => {
          const list = (await api({ method: 'GET', url: `/api/v1/runs?reaction=${filter.reaction}` })).json<{
            items: Array<{ id: string; status: string }>;
          }>();
          const run = list.items.find((r) => statuses.includes(r.status));
          if (!run) return undefined;
          return (await api({ method: 'GET', url: `/api/v1/runs/${run.id}` })).json<RunBody>();
        },
        timeoutMs,
        `a run of ${filter.reaction} reaching ${statuses.join('/')}`,
      );
    },
    stop,
    async close() {
      await stop();
      await database.drop();
    },
  };
}

/** A teardown step taking this long is named on stderr while it still runs, so a hung teardown says where. */
const SLOW_TEARDOWN_MS = 15_000;

export async function slowStepSaid<T>(name: string, step: () => Promise<T>): Promise<T> {
  const timer = setTimeout(() => console.error(`teardown: ${name} has taken over ${SLOW_TEARDOWN_MS / 1000} s`), SLOW_TEARDOWN_MS);
  try {
    return await step();
  } finally {
    clearTimeout(timer);
  }
}
