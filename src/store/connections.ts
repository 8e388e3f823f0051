import { randomBytes } from 'node:crypto';
import { ShiplineError } from '../core/errors.js';
import { uuidv7 } from '../core/ids.js';
import { open, seal } from '../core/secret-box.js';
import type { Db } from './database.js';
import type { ConnectionsTable } from './schema.js';

export type { Connection, ConnectionWithSecrets, NewConnection } from '../core/connection.js';
import type { Connection, ConnectionWithSecrets, NewConnection } from '../core/connection.js';

export const CONNECTION_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** How long a decrypted connection is reused without reading it again (other instances' changes). */
const CACHE_TTL_MS = 5_000;

function toConnection(row: ConnectionsTable): Connection {
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    config: JSON.parse(row.config) as Record<string, unknown>,
    state: JSON.parse(row.state) as Record<string, unknown>,
    endpointId: row.endpoint_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Connections to other systems; secret fields are sealed under the master key. */
export function connectionsRepo(db: Db, key: Buffer) {
  const k = db.kysely;
  const cache = new Map<string, { value: ConnectionWithSecrets; at: number }>();
  const listeners = new Set<(change: { kind: 'created' | 'updated' | 'deleted'; connection: ConnectionWithSecrets }) => void>();
  const changed = (kind: 'created' | 'updated' | 'deleted', connection: ConnectionWithSecrets) => {
    cache.clear();
    for (const listener of listeners) listener({ kind, connection });
  };
  const withSecrets = (row: ConnectionsTable): ConnectionWithSecrets => ({
    ...toConnection(row),
    secrets: JSON.parse(open(key, row.secrets)) as Record<string, string>,
  });
  const find = async (nameOrId: string) =>
    k
      .selectFrom('connections')
      .selectAll()
      .where((eb) => eb.or([eb('name', '=', nameOrId), eb('id', '=', nameOrId)]))
      .executeTakeFirst();

  return {
    async create(input: NewConnection): Promise<ConnectionWithSecrets> {
      // A name shaped like an id could be taken for another connection's id in lookups.
      if (!CONNECTION_NAME.test(input.name) || UUID.test(input.name)) {
        throw new ShiplineError(
          'connection.invalid',
          'A connection name is 1–63 characters of a–z, 0–9, _ and -, starting with a letter or digit',
        );
      }
      const now = new Date().toISOString();
      const id = uuidv7();
      const endpointId = randomBytes(16).toString('hex');
      const row: ConnectionsTable = {
        id,
        name: input.name,
        type: input.type,
        config: JSON.stringify(input.config),
        secrets: seal(key, JSON.stringify(input.secrets)),
        state: '{}',
        endpoint_id: endpointId,
        created_at: now,
        updated_at: now,
      };
      try {
        await k.transaction().execute(async (trx) => {
          // Internal: the connection's deploys are recorded under it, and nothing else may post to or delete it.
          await trx
            .insertInto('deploy_endpoints')
            .values({ id: endpointId, name: `${input.type}: ${input.name}`, created_at: now, internal: 1 })
            .execute();
          await trx.insertInto('connections').values(row).execute();
        });
      } catch (err) {
        if (await find(input.name)) throw new ShiplineError('connection.name_conflict');
        throw err;
      }
      const created = withSecrets(row);
      changed('created', created);
      return created;
    },

    async list(type?: string): Promise<Connection[]> {
      let query = k.selectFrom('connections').selectAll().orderBy('name');
      if (type) query = query.where('type', '=', type);
      return (await query.execute()).map(toConnection);
    },

    /** By name or id; 404 `connection.not_found`. */
    async get(nameOrId: string): Promise<Connection> {
      const row = await find(nameOrId);
      if (!row) throw new ShiplineError('connection.not_found');
      return toConnection(row);
    },

    /** By name or id, decrypted, from a short-lived cache (the webhook receiver asks on every delivery). */
    async withSecrets(nameOrId: string): Promise<ConnectionWithSecrets | undefined> {
      const hit = cache.get(nameOrId);
      if (hit && Date.now() - hit.at < CACHE_TTL_MS) return hit.value;
      const row = await find(nameOrId);
      if (!row) return undefined;
      const value = withSecrets(row);
      cache.set(nameOrId, { value, at: Date.now() });
      return value;
    },

    /** The names of the secret fields stored (sorted), for views; never their values. */
    async secretNames(nameOrId: string): Promise<string[]> {
      return Object.keys((await this.withSecrets(nameOrId))?.secrets ?? {}).sort();
    },

    /** Replaces the config and merges the secrets given (a secret set to "" is removed). */
    async update(
      nameOrId: string,
      patch: { config?: Record<string, unknown>; secrets?: Record<string, string> },
    ): Promise<ConnectionWithSecrets> {
      const row = await find(nameOrId);
      if (!row) throw new ShiplineError('connection.not_found');
      const current = withSecrets(row);
      const secrets = { ...current.secrets };
      for (const [name, value] of Object.entries(patch.secrets ?? {})) {
        if (value === '') delete secrets[name];
        else secrets[name] = value;
      }
      const next: ConnectionsTable = {
        ...row,
        config: JSON.stringify(patch.config ?? current.config),
        secrets: seal(key, JSON.stringify(secrets)),
        updated_at: new Date().toISOString(),
      };
      await k
        .updateTable('connections')
        .set({ config: next.config, secrets: next.secrets, updated_at: next.updated_at })
        .where('id', '=', row.id)
        .execute();
      const updated = withSecrets(next);
      changed('updated', updated);
      return updated;
    },

    /**
     * Merges `patch` into the connection's state (what Shipline learned); no change event.
     * Compare-and-set, so two writers (a test and the reconciler) never undo each other's keys.
     */
    async setState(id: string, patch: Record<string, unknown>): Promise<Connection | undefined> {
      for (let attempt = 0; attempt < 20; attempt++) {
        const written = await db.transaction(async (run) => {
          const [row] = await run.query<ConnectionsTable>('SELECT * FROM connections WHERE id = ?', [id]);
          if (!row) return null;
          const state = JSON.stringify({ ...(JSON.parse(row.state) as Record<string, unknown>), ...patch });
          const updated = await run.query<{ id: string }>('UPDATE connections SET state = ? WHERE id = ? AND state = ? RETURNING id', [
            state,
            id,
            row.state,
          ]);
          return updated.length === 1 ? toConnection({ ...row, state }) : undefined;
        });
        if (written === null) return undefined;
        if (written) {
          cache.clear();
          return written;
        }
      }
      throw new Error(`connection ${id}: its state kept changing under this update`);
    },

    /** Deletes it and returns what it was (the integration cleans up on the other side). */
    async remove(nameOrId: string): Promise<ConnectionWithSecrets> {
      const row = await find(nameOrId);
      if (!row) throw new ShiplineError('connection.not_found');
      await k.deleteFrom('connections').where('id', '=', row.id).execute();
      const removed = withSecrets(row);
      changed('deleted', removed);
      return removed;
    },

    /** Ids of connections with steps waiting on one of their deployments (wait keys `<prefix><connection id>:...`). */
    async waitingConnectionIds(prefix: string): Promise<Set<string>> {
      const rows = await db.transaction((run) =>
        run.query<{ id: string }>('SELECT DISTINCT substr(key, ?, 36) AS id FROM wait_keys WHERE key LIKE ?', [
          prefix.length + 1,
          `${prefix}%`,
        ]),
      );
      return new Set(rows.map((r) => r.id));
    },

    /** Called after every create, update and delete made through this process. */
    onChange(listener: (change: { kind: 'created' | 'updated' | 'deleted'; connection: ConnectionWithSecrets }) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export type ConnectionsRepo = ReturnType<typeof connectionsRepo>;
