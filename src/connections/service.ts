import { ShiplineError } from '../core/errors.js';
import { patchedConfig } from '../core/config-patch.js';
import type { HttpClient } from '../engine/action.js';
import type { Connection, ConnectionWithSecrets } from '../core/connection.js';
import type { Store } from '../store/index.js';
import type { ConnectionHost } from '../integrations/connection-host.js';
import type { ConnectionType, Resource } from '../integrations/connection-type.js';
import { checkedAgainst } from '../integrations/schema-check.js';
import { errorMessage } from '../core/error-message.js';

/** How long a connection test may take before it counts as an error. */
const TEST_TIMEOUT_MS = 15_000;

/** The outcome of testing settings, saved or not; `details` is never a secret. */
export interface ConnectionProbe {
  status: 'ready' | 'error';
  error: string | null;
  details: Record<string, unknown> | null;
  /** Whether the test reached the provider; false when it only checked the settings here. */
  contacted: boolean;
}

/**
 * Connections of every type, managed alike: config and secrets checked against the type's
 * schemas, secrets sealed, the connection tested on every change and its outcome kept on it, and
 * the type told (its lifecycle: created, updated, tested, removed) so it can keep what it set up
 * at the provider (Octopus: its subscription) in step.
 */
export class ConnectionService {
  private readonly types: Map<string, ConnectionType>;

  constructor(
    private readonly store: Store,
    private readonly http: HttpClient,
    types: readonly ConnectionType[],
    readonly host: ConnectionHost,
  ) {
    this.types = new Map(types.map((t) => [t.type, t]));
  }

  /** Every type a connection can have, in the registry's order. */
  typeNames(): string[] {
    return [...this.types.keys()];
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
    const type = this.typeOf(input.type);
    const config = checkedConfig(type, input.config ?? {});
    const secrets = checkedAgainst(type.secrets, input.secrets ?? {}, 'secrets') as Record<string, string>;
    const created = await this.store.connections.create({
      name: input.name,
      type: type.type,
      config,
      secrets: { ...secrets, ...type.generatedSecrets?.() },
    });
    await this.testAndKeep(type, created.id);
    await type.created?.(await this.store.connections.get(created.id), this.host);
    return this.store.connections.get(created.id);
  }

  /** `config` fields given replace those stored (null removes one); `secrets` given replace those stored ("" removes one). */
  async update(nameOrId: string, patch: { config?: unknown; secrets?: unknown }): Promise<Connection> {
    const current = await this.store.connections.withSecrets(nameOrId);
    if (!current) throw new ShiplineError('connection.not_found');
    const type = this.typeOf(current.type);
    const config =
      patch.config === undefined ? undefined : checkedConfig(type, patchedConfig(current.config, patch.config as Record<string, unknown>));
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
    await this.testAndKeep(type, current.id);
    await type.updated?.(await this.store.connections.get(current.id), this.host);
    return this.store.connections.get(current.id);
  }

  /** Tests the connection against the provider and keeps the outcome on it. */
  async test(nameOrId: string): Promise<void> {
    const connection = await this.store.connections.get(nameOrId);
    const type = this.typeOf(connection.type);
    await this.testAndKeep(type, connection.id);
    await type.tested?.(await this.store.connections.get(connection.id), this.host);
  }

  /** Deletes the connection; its type then removes what it set up at the provider. */
  async remove(nameOrId: string): Promise<void> {
    const connection = await this.store.connections.withSecrets(nameOrId);
    if (!connection) throw new ShiplineError('connection.not_found');
    await this.store.connections.remove(connection.id);
    await this.types.get(connection.type)?.removed?.(connection, this.host);
  }

  private async testAndKeep(type: ConnectionType, id: string): Promise<void> {
    const connection = await this.store.connections.withSecrets(id);
    if (!connection) throw new ShiplineError('connection.not_found');
    const checkedAt = new Date().toISOString();
    const { state, ...outcome } = await this.check(type, connection);
    await this.store.connections.setState(connection.id, { ...outcome, ...state, checkedAt });
  }

  /**
   * Tests settings without saving them (the forms' Test button): the same checks and calls to
   * the provider as creating the connection, with nothing stored — no connection, no state, no
   * Octopus subscription, no event. Invalid config or secrets: 400 as create gives.
   */
  async probe(input: { type: string; name?: string | undefined; config: unknown; secrets: unknown }): Promise<ConnectionProbe> {
    const type = this.typeOf(input.type);
    const config = checkedConfig(type, input.config ?? {});
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
    const { state, ...outcome } = await this.check(type, unsaved, AbortSignal.timeout(TEST_TIMEOUT_MS));
    return outcome.status === 'ready' && outcome.details === null && state ? { ...outcome, details: state } : outcome;
  }

  /** The type's test, bounded by TEST_TIMEOUT_MS; a throw is an error outcome with its message. */
  private async check(
    type: ConnectionType,
    connection: ConnectionWithSecrets,
    signal = AbortSignal.timeout(TEST_TIMEOUT_MS),
  ): Promise<ConnectionProbe & { state?: Record<string, unknown> }> {
    try {
      const outcome = await type.test(connection, this.http, signal);
      return {
        status: outcome.status,
        error: outcome.status === 'error' ? withTimeout(outcome.error ?? null, signal) : (outcome.error ?? null),
        details: outcome.details ?? null,
        contacted: outcome.contacted !== false,
        ...(outcome.state ? { state: outcome.state } : {}),
      };
    } catch (err) {
      return { status: 'error', error: withTimeout(errorMessage(err), signal), details: null, contacted: true };
    }
  }

  /** What a picker offers: the connection's items of `kind` (its type's `resources`). */
  async resources(nameOrId: string, kind: string, query: Record<string, string>): Promise<Resource[]> {
    const connection = await this.store.connections.withSecrets(nameOrId);
    if (!connection) throw new ShiplineError('connection.not_found');
    const pickers = this.types.get(connection.type)?.resources;
    if (!pickers) throw new ShiplineError('request.invalid', `A ${connection.type} connection has no resources to pick`);
    if (!pickers.kinds.includes(kind))
      throw new ShiplineError('request.invalid', `A ${connection.type} connection lists ${pickers.kinds.join(', ')}, not ${kind}`);
    return pickers.list(connection, kind, query, this.host);
  }

  /**
   * Warnings about a trigger that can never match (an unknown connection; what the connection's
   * type says of its options, from its cache). Never throws: a provider that cannot tell says nothing.
   */
  async triggerWarnings(on: Record<string, unknown>): Promise<string[]> {
    if (typeof on.connection !== 'string') return [];
    const connection = await this.store.connections.withSecrets(on.connection);
    if (!connection) return [`on.connection: there is no connection named "${on.connection}", so this reaction never runs`];
    try {
      return (await this.types.get(connection.type)?.triggerWarnings?.(connection, on, this.host)) ?? [];
    } catch {
      return [];
    }
  }

  /** The type of a connection with inbound webhooks, for `POST /hooks/<type>/<id>`. */
  webhookType(type: string): ConnectionType | undefined {
    const found = this.types.get(type);
    return found?.webhook ? found : undefined;
  }
}

/** Config checked against the type's schema (400 `connection.invalid` listing every problem), as the type stores it. */
function checkedConfig(type: ConnectionType, given: unknown): Record<string, unknown> {
  const config = checkedAgainst(type.config, given, 'config') as Record<string, unknown>;
  return type.normalizeConfig ? type.normalizeConfig(config) : config;
}

/** A test cut short says so: the client's own message only says the request "was aborted". */
function withTimeout(message: string | null, signal: AbortSignal): string | null {
  return signal.aborted ? `No answer within ${TEST_TIMEOUT_MS / 1000} s: ${message ?? 'the test was cut short'}` : message;
}
