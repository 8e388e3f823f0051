import type { Logger } from 'pino';
import type { Store } from '../store/index.js';
import type { ConnectionWithSecrets } from '../core/connection.js';
import type { ConnectionScriptEnv, HttpClient } from './action.js';
import type { ActionRegistry } from './registry.js';

/** What the engine works with; passed in, so tests build it from real parts. */
export interface EngineDeps {
  store: Store;
  registry: ActionRegistry;
  http: HttpClient;
  /** The base URL scripts reach the API at. */
  publicUrl: () => string;
  /** Records a deploy as the webhook would (the `deploy.record` action). */
  recordDeploy(payload: unknown): Promise<{ result: string; deploy?: unknown; errors?: unknown }>;
  /** What a connection gives a script step that names it, from its type's declaration (the integrations'; wired by the runtime). */
  scriptEnv(connection: ConnectionWithSecrets): ConnectionScriptEnv;
  logger?: Logger;
  now?: () => Date;
}
