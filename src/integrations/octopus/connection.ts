import { randomBytes } from 'node:crypto';
import { Type, type Static } from 'typebox';
import { ShiplineError } from '../../core/errors.js';
import type { HttpClient } from '../../engine/action.js';
import type { ConnectionWithSecrets } from '../../core/connection.js';
import { readConnection } from '../read-connection.js';
import { OctopusClient } from './client.js';
import { resolveSpace, SpaceResolver } from './resolve.js';
import { errorMessage } from '../../core/error-message.js';

/** What a user gives to connect an Octopus server. */
export const OctopusConfig = Type.Object(
  {
    serverUrl: Type.String({
      pattern: '^https?://[^\\s/]+',
      title: 'Server URL',
      placeholder: 'https://my-company.octopus.app',
      description: 'The Octopus server, e.g. https://my-company.octopus.app',
    }),
    space: Type.Optional(
      Type.String({ title: 'Space', placeholder: 'Default', description: 'Space name or id; empty means the default space' }),
    ),
    trackDeploys: Type.Optional(
      Type.Boolean({
        title: 'Track deploys',
        default: true,
        description: 'Record every Octopus deployment in the deploy catalog (default true)',
      }),
    ),
  },
  { additionalProperties: false },
);

export const OctopusSecrets = Type.Object(
  {
    apiKey: Type.String({
      minLength: 1,
      title: 'API key',
      placeholder: 'API-…',
      sensitive: true,
      description: 'An Octopus API key (Profile → My API Keys); sent only as X-Octopus-ApiKey',
    }),
  },
  { additionalProperties: false },
);

/** The secret Octopus sends back in X-Shipline-Webhook-Secret; made by Shipline, never shown. */
export const WEBHOOK_SECRET = 'webhookSecret';

export function newWebhookSecret(): string {
  return randomBytes(32).toString('base64url');
}

export type OctopusConfigValue = Static<typeof OctopusConfig>;

/** The declared settings, read with `readConnection`. */
export const octopusSchemas = { type: 'octopus', config: OctopusConfig, secrets: OctopusSecrets };

/** What Shipline learned when it last talked to the server. */
export interface OctopusState {
  status?: 'ready' | 'error';
  error?: string | null;
  space?: { id: string; name: string };
  version?: string;
  installationId?: string;
  checkedAt?: string;
  subscription?: {
    id: string | null;
    categories: string[];
    lastReconciledAt: string | null;
    error: string | null;
    warning?: string | null;
  };
}

/** What testing Octopus settings learned: `ready` with the space and version, or `error` with Octopus's message. */
export type OctopusCheck = Pick<OctopusState, 'space' | 'version' | 'installationId'> & { status: 'ready' | 'error'; error: string | null };

export interface OpenConnection {
  connection: ConnectionWithSecrets;
  config: OctopusConfigValue;
  client: OctopusClient;
  resolver: SpaceResolver;
}

/**
 * Octopus connections as the integration uses them: a client with the connection's key, its
 * space resolved once (and re-resolved when the connection changes), and a name cache per space.
 */
export class OctopusConnections {
  private readonly open = new Map<string, { key: string; value: Promise<OpenConnection> }>();

  constructor(
    /** A connection by name or id, with its secrets (the host's). */
    private readonly lookup: (nameOrId: string) => Promise<ConnectionWithSecrets | undefined>,
    private readonly http: HttpClient,
  ) {}

  clientFor(connection: ConnectionWithSecrets, signal?: AbortSignal): OctopusClient {
    const { config, secrets } = readConnection(octopusSchemas, connection);
    return this.clientWith(config, secrets.apiKey, signal);
  }

  /** A client for settings that may not be saved yet (the form's Test). */
  clientWith(config: OctopusConfigValue, apiKey: string, signal?: AbortSignal): OctopusClient {
    return new OctopusClient(this.http, { serverUrl: config.serverUrl, apiKey, ...(signal ? { signal } : {}) });
  }

  /**
   * Test = `GET /api`, `GET /api/users/me`, resolve the space, with these settings: `ready` with
   * what was learned, or `error` with Octopus's message. Never throws; stores nothing.
   */
  async check(config: OctopusConfigValue, apiKey: string, signal?: AbortSignal): Promise<OctopusCheck> {
    const client = this.clientWith(config, apiKey, signal);
    try {
      const root = await client.root();
      await client.get('/api/users/me');
      const space = await resolveSpace(client, config.space);
      return {
        status: 'ready',
        error: null,
        space: { id: space.Id, name: space.Name },
        version: root.Version,
        ...(root.InstallationId ? { installationId: root.InstallationId } : {}),
      };
    } catch (err) {
      return { status: 'error', error: errorMessage(err) };
    }
  }

  /** The connection by name or id, ready to call; throws `connection.not_found` or Octopus's error. */
  async get(nameOrId: string): Promise<OpenConnection> {
    const connection = await this.lookup(nameOrId);
    if (!connection || connection.type !== 'octopus') {
      throw new ShiplineError('connection.not_found', `No Octopus connection named "${nameOrId}"`);
    }
    const key = `${connection.id}@${connection.updatedAt}`;
    const hit = this.open.get(connection.id);
    if (hit && hit.key === key) return hit.value;
    const value = this.load(connection);
    this.open.set(connection.id, { key, value });
    value.catch(() => this.open.delete(connection.id));
    return value;
  }

  private async load(connection: ConnectionWithSecrets): Promise<OpenConnection> {
    const { config } = readConnection(octopusSchemas, connection);
    const client = this.clientFor(connection);
    const state = connection.state as OctopusState;
    const spaceId = state.space?.id ?? (await resolveSpace(client, config.space)).Id;
    return { connection, config, client, resolver: new SpaceResolver(client, spaceId) };
  }

  /** Forgets the connection's client and space (its settings or its space changed). */
  forget(id: string): void {
    this.open.delete(id);
  }
}
