import { Type } from 'typebox';
import type { Store } from '../../store/index.js';
import { ErrorResponses, List, Service, Suggestion, SuggestionAccept } from '../schemas.js';
import type { App } from './types.js';

const tags = ['suggestions'];
const AliasParam = Type.Object({ alias: Type.String() });

export function suggestionRoutes(store: Store) {
  return async (app: App) => {
    app.get(
      '/suggestions',
      {
        config: { minRole: 'read' },
        schema: {
          summary: 'Aliases that received deploys but match no service',
          tags,
          response: { 200: List(Suggestion), ...ErrorResponses },
        },
      },
      async () => ({ items: await store.suggestions.list() }),
    );

    app.post(
      '/suggestions/:alias/accept',
      {
        config: { minRole: 'write' },
        schema: {
          summary: 'Create a service for the alias, or attach it to `serviceId`; its earlier deploys follow',
          tags,
          params: AliasParam,
          body: SuggestionAccept,
          response: { 200: Service, ...ErrorResponses },
        },
        // The body is optional: a bare POST (as `curl -X POST` sends) means "create a service".
        preValidation: async (request) => {
          request.body ??= {};
        },
      },
      async (request) => store.suggestions.accept(request.params.alias, request.body.serviceId),
    );

    app.post(
      '/suggestions/:alias/dismiss',
      {
        config: { minRole: 'write' },
        schema: {
          summary: 'Hide a suggestion; its deploys are still recorded',
          tags,
          params: AliasParam,
          response: { 204: Type.Null(), ...ErrorResponses },
        },
      },
      async (request, reply) => {
        await store.suggestions.dismiss(request.params.alias);
        return reply.status(204).send(null);
      },
    );
  };
}
