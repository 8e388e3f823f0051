import { randomUUID } from 'node:crypto';
import { ShiplineError } from '../core/errors.js';
import type { Db } from './database.js';

export interface DeployEndpoint {
  id: string;
  name: string;
  createdAt: string;
}

export function endpointsRepo(db: Db) {
  const k = db.kysely;
  return {
    async create(name: string): Promise<DeployEndpoint> {
      const endpoint = { id: randomUUID(), name: name.trim(), created_at: new Date().toISOString() };
      await k.insertInto('deploy_endpoints').values(endpoint).execute();
      return { id: endpoint.id, name: endpoint.name, createdAt: endpoint.created_at };
    },

    async exists(id: string): Promise<boolean> {
      return (await k.selectFrom('deploy_endpoints').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
    },

    async list(): Promise<DeployEndpoint[]> {
      const rows = await k.selectFrom('deploy_endpoints').selectAll().orderBy('created_at').orderBy('id').execute();
      return rows.map((r) => ({ id: r.id, name: r.name, createdAt: r.created_at }));
    },

    /** Deletes an endpoint: its URL answers 404 from then on; deploys it recorded stay. */
    async remove(id: string): Promise<void> {
      const result = await k.deleteFrom('deploy_endpoints').where('id', '=', id).executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) throw new ShiplineError('endpoint.not_found');
    },
  };
}

export type EndpointsRepo = ReturnType<typeof endpointsRepo>;
