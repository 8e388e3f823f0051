import { Type } from 'typebox';
import type { Store } from '../../store/index.js';
import { ErrorResponses, List, Secret, SecretPut } from '../schemas.js';
import type { App } from './types.js';

const tags = ['secrets'];
const params = Type.Object({ name: Type.String() });

// Admin only, even to list: names say which systems Shipline holds credentials for.
/** Values go in and never come out: only the engine decrypts them, through the store. */
export function secretRoutes(store: Store) {
  return async (app: App) => {
    app.get(
      '/secrets',
      {
        config: { minRole: 'admin' },
        schema: {
          summary: 'List secrets: names, bound hosts and dates, never values',
          tags,
          response: { 200: List(Secret), ...ErrorResponses },
        },
      },
      async () => ({ items: await store.secrets.list() }),
    );

    app.put(
      '/secrets/:name',
      {
        config: { minRole: 'admin' },
        schema: {
          summary: 'Create or replace a secret (encrypted at rest), optionally bound to the hosts it may be sent to',
          tags,
          params,
          body: SecretPut,
          response: { 200: Secret, ...ErrorResponses },
        },
      },
      async (request) => store.secrets.set(request.params.name, request.body.value, request.body.hosts),
    );

    app.delete(
      '/secrets/:name',
      {
        config: { minRole: 'admin' },
        schema: { summary: 'Delete a secret', tags, params, response: { 204: Type.Null(), ...ErrorResponses } },
      },
      async (request, reply) => {
        await store.secrets.remove(request.params.name);
        return reply.status(204).send(null);
      },
    );
  };
}
