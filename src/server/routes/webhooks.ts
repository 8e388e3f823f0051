import { Type } from 'typebox';
import type { Store } from '../../store/index.js';
import type { Webhook as StoredWebhook } from '../../store/webhooks.js';
import { ErrorResponses, List, Webhook, WebhookCreate, WebhookCreated } from '../schemas.js';
import type { App } from './types.js';

const tags = ['webhooks'];
const params = Type.Object({ name: Type.String() });

/** Managing the external webhooks served at /hooks/<name>. `config.publicUrl` is read per request. */
export function webhookRoutes(store: Store, config: { publicUrl: string }) {
  const withUrl = <T extends StoredWebhook>(w: T) => ({ ...w, url: `${config.publicUrl}/hooks/${w.name}` });

  return async (app: App) => {
    app.post(
      '/webhooks',
      {
        config: { minRole: 'admin' },
        schema: {
          summary: 'Create an external webhook; its key or signing secret is in this response only',
          tags,
          body: WebhookCreate,
          response: { 201: WebhookCreated, ...ErrorResponses },
        },
      },
      async (request, reply) => reply.status(201).send(withUrl(await store.webhooks.create(request.body.name, request.body.auth))),
    );

    app.get(
      '/webhooks',
      {
        config: { minRole: 'admin' },
        schema: {
          summary: 'List external webhooks (never their keys or secrets)',
          tags,
          response: { 200: List(Webhook), ...ErrorResponses },
        },
      },
      async () => ({ items: (await store.webhooks.list()).map(withUrl) }),
    );

    app.get(
      '/webhooks/:name',
      {
        config: { minRole: 'admin' },
        schema: {
          summary: 'One external webhook (never its key or secret)',
          tags,
          params,
          response: { 200: Webhook, ...ErrorResponses },
        },
      },
      async (request) => withUrl(await store.webhooks.find(request.params.name)),
    );

    app.delete(
      '/webhooks/:name',
      {
        config: { minRole: 'admin' },
        schema: {
          summary: 'Delete an external webhook; its URL answers 404 afterwards, its events stay',
          tags,
          params,
          response: { 204: Type.Null(), ...ErrorResponses },
        },
      },
      async (request, reply) => {
        await store.webhooks.remove(request.params.name);
        return reply.status(204).send(null);
      },
    );
  };
}
