import type { ShiplineEvent } from '../core/vocabulary.js';
import type { ActionContext, ConnectionScriptEnv } from '../engine/action.js';
import type { ConnectionWithSecrets } from '../core/connection.js';
import { createHttpClient } from '../actions/http/client.js';
import { NonRetriableError } from '../engine/action.js';

/**
 * A stand-in `ActionContext` for actions' unit tests: a real (SSRF-guarded) HTTP client, logs
 * and emitted events collected in arrays, secrets from a map. Not for production code.
 */

export interface TestContextOptions {
  /** SHIPLINE_ALLOW_HOSTS for the HTTP client; default none. */
  allowHosts?: string[];
  secrets?: Record<string, string>;
  /** What `ctx.apiAccess()` returns; default `http://127.0.0.1:1` and `test-token`. */
  api?: { url: string; token: string };
  event?: ShiplineEvent;
  runId?: string;
  stepId?: string;
  attempt?: number;
  signal?: AbortSignal;
  now?: () => Date;
  connections?: Record<string, ConnectionWithSecrets>;
  /** What `ctx.connectionEnv(name)` gives for a connection in `connections`; default: the type declares no variables. */
  scriptEnv?: (connection: ConnectionWithSecrets) => ConnectionScriptEnv;
}

export interface TestContext {
  ctx: ActionContext;
  logs: string[];
  emitted: ShiplineEvent[];
  /** Closes the HTTP client; call in afterAll. */
  close(): Promise<void>;
}

export const sampleEvent: ShiplineEvent = {
  id: 'evt_test',
  type: 'deploy.recorded',
  source: 'test',
  timestamp: '2026-01-02T03:04:05.000Z',
  data: { service: 'checkout', environment: 'production' },
};

export function createTestContext(options: TestContextOptions = {}): TestContext {
  const http = createHttpClient({ allowHosts: options.allowHosts ?? [] });
  const logs: string[] = [];
  const emitted: ShiplineEvent[] = [];
  const kv = new Map<string, unknown>();
  const runId = options.runId ?? 'run_test';
  const stepId = options.stepId ?? 'step1';
  const now = options.now ?? (() => new Date());
  const ctx: ActionContext = {
    runId,
    stepId,
    attempt: options.attempt ?? 1,
    idempotencyKey: `${runId}:${stepId}`,
    event: options.event ?? sampleEvent,
    http,
    secret: async (name) => options.secrets?.[name],
    log: (line) => void logs.push(line),
    emit: async (type, data) => {
      const event = { id: `evt_${emitted.length + 1}`, type, source: 'test', timestamp: now().toISOString(), data };
      emitted.push(event);
      return event;
    },
    apiAccess: async () => options.api ?? { url: 'http://127.0.0.1:1', token: 'test-token' },
    recordDeploy: async () => ({ result: 'created' }),
    kv: {
      get: async (key) => kv.get(key),
      set: async (key, value) => void kv.set(key, value),
    },
    connection: async (name) => {
      const found = options.connections?.[name];
      if (!found) throw new Error(`connection ${name} does not exist`);
      return found;
    },
    connectionEnv: async (name) => {
      const found = options.connections?.[name];
      if (!found) throw new NonRetriableError(`connection ${name} does not exist`);
      if (!options.scriptEnv) throw new NonRetriableError(`connection "${name}" gives scripts no variables`);
      return { ...options.scriptEnv(found), name: found.name, type: found.type };
    },
    now,
    signal: options.signal ?? new AbortController().signal,
  };
  return { ctx, logs, emitted, close: () => http.close() };
}
