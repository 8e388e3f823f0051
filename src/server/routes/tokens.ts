import { Type } from 'typebox';
import type { Store } from '../../store/index.js';
import { ErrorResponses, List, Token, TokenCreate, TokenCreated } from '../schemas.js';
import type { App } from './types.js';

const tags = ['tokens'];

export function tokenRoutes(store: Store) {
  return async (app: App) => {
    app.get(
      '/tokens',
      {
        config: { minRole: 'admin' },
        schema: {
          summary: 'List API tokens (never their secrets)',
          tags,
          response: { 200: List(Token), ...ErrorResponses },
        },
      },
      async () => ({ items: await store.tokens.list() }),
    );

    app.post(
      '/tokens',
      {
        config: { minRole: 'admin' },
        schema: {
          summary: 'Create an API token; its secret is in this response only',
          tags,
          body: TokenCreate,
          response: { 201: TokenCreated, ...ErrorResponses },
        },
      },
      async (request, reply) => reply.status(201).send(await store.tokens.create(request.body.name.trim(), request.body.role)),
    );

    app.delete(
      '/tokens/:id',
      {
        config: { minRole: 'admin' },
        schema: {
          summary: 'Revoke an API token',
          tags,
          params: Type.Object({ id: Type.String() }),
          response: { 200: Token, ...ErrorResponses },
        },
      },
      async (request) => store.tokens.revoke(request.params.id),
    );
  };
}
