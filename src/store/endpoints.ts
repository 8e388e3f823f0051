import { randomUUID } from 'node:crypto';
import { ShiplineError } from '../core/errors.js';
import type { Db } from './database.js';

/** How an event names an endpoint deleted before deploys kept their endpoint's name. */
export const DELETED_ENDPOINT = '(deleted)';

export interface DeployEndpoint {
  id: string;
  name: string;
  createdAt: string;
}

/**
 * Deploy endpoints: the URLs pipelines POST deploys to, whose id is the credential. Shipline's
 * own endpoints (one per connection, the reactions' built-in one) are internal: they record
 * deploys for Shipline only, so they are never listed, deleted or accepted at the deploy URL.
 */
export function endpointsRepo(db: Db) {
  const k = db.kysely;
  const insert = async (name: string, internal: boolean): Promise<DeployEndpoint> => {
    const endpoint = { id: randomUUID(), name: name.trim(), created_at: new Date().toISOString() };
    await k
      .insertInto('deploy_endpoints')
      .values({ ...endpoint, internal: internal ? 1 : 0 })
      .execute();
    return { id: endpoint.id, name: endpoint.name, createdAt: endpoint.created_at };
  };
  return {
    /** A deploy endpoint pipelines post to. */
    create: (name: string) => insert(name, false),

    /** Shipline's own endpoint of this name, created on first use. */
    async internal(name: string): Promise<DeployEndpoint> {
      const found = await k
        .selectFrom('deploy_endpoints')
        .selectAll()
        .where('name', '=', name)
        .where('internal', '=', 1)
        .orderBy('created_at')
        .executeTakeFirst();
      return found ? { id: found.id, name: found.name, createdAt: found.created_at } : insert(name, true);
    },

    /** True for an endpoint pipelines may post to (not an internal one). */
    async exists(id: string): Promise<boolean> {
      return (
        (await k.selectFrom('deploy_endpoints').select('id').where('id', '=', id).where('internal', '=', 0).executeTakeFirst()) !==
        undefined
      );
    },

    /** The endpoints pipelines post to; never an internal one. */
    async list(): Promise<DeployEndpoint[]> {
      const rows = await k
        .selectFrom('deploy_endpoints')
        .selectAll()
        .where('internal', '=', 0)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map((r) => ({ id: r.id, name: r.name, createdAt: r.created_at }));
    },

    /** Deletes an endpoint: its URL answers 404 from then on; deploys it recorded stay. An internal one is not found. */
    async remove(id: string): Promise<void> {
      const result = await k.deleteFrom('deploy_endpoints').where('id', '=', id).where('internal', '=', 0).executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) throw new ShiplineError('endpoint.not_found');
    },
  };
}

export type EndpointsRepo = ReturnType<typeof endpointsRepo>;
