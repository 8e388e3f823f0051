import { ShiplineError } from '../core/errors.js';
import { patchedConfig } from '../core/config-patch.js';
import type { HttpClient } from '../engine/action.js';
import type { Connection, ConnectionWithSecrets } from '../core/connection.js';
import type { Store } from '../store/index.js';
import type { ConnectionType } from './connection-type.js';
import type { OctopusIntegration } from './octopus/index.js';
import type { ResourceKind } from './octopus/resources.js';
import { checkedAgainst } from './schema-check.js';

/** How long a connection test may take before it counts as an error. */
const TEST_TIMEOUT_MS = 15_000;

/** The outcome of testing settings, saved or not; `details` is never a secret. */
export interface ConnectionProbe {
  status: 'ready' | 'error';
  error: string | null;
  details: Record<string, unknown> | null;
}

/**
 * Connections of every type, managed alike: config and secrets checked against the type's
 * schemas, secrets sealed, the connection tested on every change and its outcome kept on it.
 * Octopus brings more (its subscription, resource pickers), so it keeps its own service.
 */
export class ConnectionService {
  private readonly types: Map<string, ConnectionType>;

  constructor(
    private readonly store: Store,
    private readonly http: HttpClient,
    types: readonly ConnectionType[],
    private readonly octopus: OctopusIntegration,
  ) {
    this.types = new Map(types.map((t) => [t.type, t]));
  }

  /** Every type a connection can have, Octopus first. */
  typeNames(): string[] {
    return ['octopus', ...this.types.keys()];
  }

  manifests(): readonly ConnectionType[] {
    return [...this.types.values()];
  }

  private typeOf(type: string): ConnectionType {
    const found = this.types.get(type);
    if (!found) throw new ShiplineError('connection.invalid', `Unknown connection type "${type}" (known: ${this.typeNames().join(', ')})`);
    return found;
  }

  async create(input: { type: string; name: string; config: unknown; secrets: unknown }): Promise<Connection> {
    if (input.type === 'octopus') return this.octopus.create(input);
    const type = this.typeOf(input.type);
    const config = checkedAgainst(type.config, input.config ?? {}, 'config') as Record<string, unknown>;
    const secrets = checkedAgainst(type.secrets, input.secrets ?? {}, 'secrets') as Record<string, string>;
    const created = await this.store.connections.create({
      name: input.name,
      type: type.type,
      config,
      secrets: { ...secrets, ...type.generatedSecrets?.() },
    });
    await this.test(created.id);
    return this.store.connections.get(created.id);
  }

  /** `config` fields given replace those stored (null removes one); `secrets` given replace those stored ("" removes one). */
  async update(nameOrId: string, patch: { config?: unknown; secrets?: unknown }): Promise<Connection> {
    const current = await this.store.connections.withSecrets(nameOrId);
    if (!current) throw new ShiplineError('connection.not_found');
    if (current.type === 'octopus') return this.octopus.update(nameOrId, patch);
    const type = this.typeOf(current.type);
    const config =
      patch.config === undefined
        ? undefined
        : (checkedAgainst(type.config, patchedConfig(current.config, patch.config as Record<string, unknown>), 'config') as Record<
            string,
            unknown
          >);
    let secrets: Record<string, string> | undefined;
    if (patch.secrets !== undefined) {
      const merged: Record<string, string> = { ...current.secrets };
      for (const [key, value] of Object.entries(patch.secrets as Record<string, string>)) {
        if (value === '') delete merged[key];
        else merged[key] = value;
      }
      const generated = Object.keys(type.generatedSecrets?.() ?? {});
      const visible = Object.fromEntries(Object.entries(merged).filter(([key]) => !generated.includes(key)));
      checkedAgainst(type.secrets, visible, 'secrets');
      secrets = patch.secrets as Record<string, string>;
    }
    await this.store.connections.update(current.id, { ...(config ? { config } : {}), ...(secrets ? { secrets } : {}) });
    await this.test(current.id);
    return this.store.connections.get(current.id);
  }

  /** Tests the connection against the provider and keeps the outcome on it. */
  async test(nameOrId: string): Promise<void> {
    const connection = await this.store.connections.withSecrets(nameOrId);
    if (!connection) throw new ShiplineError('connection.not_found');
    if (connection.type === 'octopus') {
      await this.octopus.test(connection.id);
      return;
    }
    const type = this.typeOf(connection.type);
    const checkedAt = new Date().toISOString();
    const outcome = await this.check(type, connection);
    await this.store.connections.setState(connection.id, { ...outcome, checkedAt });
  }

  /**
   * Tests settings without saving them (the forms' Test button): the same checks and calls to
   * the provider as creating the connection, with nothing stored — no connection, no state, no
   * Octopus subscription, no event. Invalid config or secrets: 400 as create gives.
   */
  async probe(input: { type: string; name?: string | undefined; config: unknown; secrets: unknown }): Promise<ConnectionProbe> {
    const signal = AbortSignal.timeout(TEST_TIMEOUT_MS);
    if (input.type === 'octopus') {
      const outcome = await this.octopus.probe(input, signal);
      if (outcome.status === 'error') return { status: 'error', error: withTimeout(outcome.error, signal), details: null };
      return {
        status: 'ready',
        error: null,
        details: {
          space: outcome.space,
          version: outcome.version,
          ...(outcome.installationId ? { installationId: outcome.installationId } : {}),
        },
      };
    }
    const type = this.typeOf(input.type);
    const config = checkedAgainst(type.config, input.config ?? {}, 'config') as Record<string, unknown>;
    const secrets = checkedAgainst(type.secrets, input.secrets ?? {}, 'secrets') as Record<string, string>;
    const now = new Date().toISOString();
    // What `test` reads of a saved connection; the generated secrets too, so the outcome is the one saving would give.
    const unsaved: ConnectionWithSecrets = {
      id: '',
      name: input.name?.trim() || type.type,
      type: type.type,
      config,
      secrets: { ...secrets, ...type.generatedSecrets?.() },
      state: {},
      endpointId: '',
      createdAt: now,
      updatedAt: now,
    };
    return this.check(type, unsaved, signal);
  }

  /** The type's test, bounded by TEST_TIMEOUT_MS; a throw is an error outcome with its message. */
  private async check(
    type: ConnectionType,
    connection: ConnectionWithSecrets,
    signal = AbortSignal.timeout(TEST_TIMEOUT_MS),
  ): Promise<ConnectionProbe> {
    try {
      const outcome = await type.test(connection, this.http, signal);
      return {
        status: outcome.status,
        error: outcome.status === 'error' ? withTimeout(outcome.error ?? null, signal) : (outcome.error ?? null),
        details: outcome.details ?? null,
      };
    } catch (err) {
      return { status: 'error', error: withTimeout(err instanceof Error ? err.message : String(err), signal), details: null };
    }
  }

  async resources(nameOrId: string, kind: ResourceKind, query: { project?: string; search?: string }) {
    const connection = await this.store.connections.get(nameOrId);
    if (connection.type !== 'octopus')
      throw new ShiplineError('request.invalid', `A ${connection.type} connection has no resources to pick`);
    return this.octopus.resources(nameOrId, kind, query);
  }

  /** The type of a connection with inbound webhooks, for `POST /hooks/<type>/<id>`. */
  webhookType(type: string): ConnectionType | undefined {
    const found = this.types.get(type);
    return found?.webhook ? found : undefined;
  }
}

/** A test cut short says so: the client's own message only says the request "was aborted". */
function withTimeout(message: string | null, signal: AbortSignal): string | null {
  return signal.aborted ? `No answer within ${TEST_TIMEOUT_MS / 1000} s: ${message ?? 'the test was cut short'}` : message;
}
