import { Type } from 'typebox';
import type { Store } from '../../store/index.js';
import { AliasAdd, ErrorResponses, Page, PageQuery, Service, ServiceCreate, ServicePatch } from '../schemas.js';
import type { App } from './types.js';

const IdOrAlias = Type.Object({ idOrAlias: Type.String({ description: 'A service id, name or alias' }) });
const tags = ['services'];

export function serviceRoutes(store: Store) {
  return async (app: App) => {
    app.get(
      '/services',
      {
        config: { minRole: 'read' },
        schema: {
          summary: 'List services by name',
          tags,
          querystring: Type.Object(PageQuery),
          response: { 200: Page(Service), ...ErrorResponses },
        },
      },
      async (request) => store.services.list(request.query),
    );

    app.post(
      '/services',
      {
        config: { minRole: 'write' },
        schema: {
          summary: 'Create a service; its name is always one of its aliases, and earlier deploys under its aliases attach to it',
          tags,
          body: ServiceCreate,
          response: { 201: Service, ...ErrorResponses },
        },
      },
      async (request, reply) => reply.status(201).send(await store.services.create(request.body)),
    );

    app.get(
      '/services/:idOrAlias',
      {
        config: { minRole: 'read' },
        schema: { summary: 'Show a service', tags, params: IdOrAlias, response: { 200: Service, ...ErrorResponses } },
      },
      async (request) => store.services.get(request.params.idOrAlias),
    );

    app.patch(
      '/services/:idOrAlias',
      {
        config: { minRole: 'write' },
        schema: {
          summary: 'Change a service; `aliases`, when given, replaces the alias list',
          tags,
          params: IdOrAlias,
          body: ServicePatch,
          response: { 200: Service, ...ErrorResponses },
        },
      },
      async (request) => store.services.update(request.params.idOrAlias, request.body),
    );

    app.delete(
      '/services/:idOrAlias',
      {
        config: { minRole: 'write' },
        schema: {
          summary: 'Delete a service; its deploys stay and its aliases become suggestions again',
          tags,
          params: IdOrAlias,
          response: { 204: Type.Null(), ...ErrorResponses },
        },
      },
      async (request, reply) => {
        await store.services.remove(request.params.idOrAlias);
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/services/:idOrAlias/aliases',
      {
        config: { minRole: 'write' },
        schema: {
          summary: 'Add an alias to a service; earlier deploys under it attach to the service',
          tags,
          params: IdOrAlias,
          body: AliasAdd,
          response: { 200: Service, ...ErrorResponses },
        },
      },
      async (request) => store.services.addAlias(request.params.idOrAlias, request.body.alias),
    );
  };
}
