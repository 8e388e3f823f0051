import { Type } from 'typebox';
import type { Store } from '../../store/index.js';
import type { DeployEndpoint } from '../../store/endpoints.js';
import { Endpoint, EndpointCreate, ErrorResponses, List } from '../schemas.js';
import type { App } from './types.js';

const tags = ['deploy endpoints'];

// Endpoint URLs are credentials, so even listing them needs the write role.
/** `config.publicUrl` is read per request: by default it is only known once the server listens. */
export function endpointRoutes(store: Store, config: { publicUrl: string }) {
  const withUrl = (e: DeployEndpoint) => ({ ...e, url: `${config.publicUrl}/integrations/deploy/${e.id}` });

  return async (app: App) => {
    app.post(
      '/deploy-endpoints',
      {
        config: { minRole: 'write' },
        schema: {
          summary: 'Create a deploy endpoint: a URL CI pipelines POST deploys to',
          tags,
          body: EndpointCreate,
          response: { 201: Endpoint, ...ErrorResponses },
        },
      },
      async (request, reply) => reply.status(201).send(withUrl(await store.endpoints.create(request.body.name))),
    );

    app.get(
      '/deploy-endpoints',
      {
        config: { minRole: 'write' },
        schema: {
          summary: 'List deploy endpoints with their URLs',
          tags,
          response: { 200: List(Endpoint), ...ErrorResponses },
        },
      },
      async () => ({ items: (await store.endpoints.list()).map(withUrl) }),
    );

    app.delete(
      '/deploy-endpoints/:id',
      {
        config: { minRole: 'write' },
        schema: {
          summary: 'Delete a deploy endpoint; its URL answers 404 afterwards, its deploys stay',
          tags,
          params: Type.Object({ id: Type.String() }),
          response: { 204: Type.Null(), ...ErrorResponses },
        },
      },
      async (request, reply) => {
        await store.endpoints.remove(request.params.id);
        return reply.status(204).send(null);
      },
    );
  };
}
