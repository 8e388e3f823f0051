import { createHmac } from 'node:crypto';
import { sameSecret } from '../../core/same-secret.js';
import { acceptRawBodies } from '../raw-body.js';
import { Type } from 'typebox';
import type { FastifyRequest } from 'fastify';
import { ERRORS, ShiplineError } from '../../core/errors.js';
import { verify as verifyStandardWebhook } from '../../core/standard-webhooks.js';
import type { Store } from '../../store/index.js';
import type { WebhookWithSecret } from '../../store/webhooks.js';
import { ErrorBody, HookAccepted } from '../schemas.js';
import type { App } from './types.js';

/** Where an api_key webhook's key may be sent: this header, or the `key` query parameter. */
export const KEY_HEADER = 'x-shipline-key';
const KEY_PARAM = 'key';

/**
 * The only request headers kept in the event: what helps a reaction tell deliveries apart.
 * An allow list, so credentials (authorization, cookies, keys, signatures) can never slip in.
 */
export const STORED_HEADERS: readonly string[] = [
  'content-type',
  'user-agent',
  'x-github-event',
  'x-github-delivery',
  'x-github-hook-id',
  'x-gitlab-event',
  'x-request-id',
  'webhook-id',
  'webhook-timestamp',
  'x-event-key',
  'x-correlation-id',
];

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

function one(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function unauthorized(reason: string): ShiplineError {
  return new ShiplineError('hook.unauthorized', `${ERRORS['hook.unauthorized'].message}: ${reason}`);
}

/** Throws 401 `hook.unauthorized` unless the delivery carries the webhook's credential. */
function authenticate(hook: WebhookWithSecret, request: FastifyRequest, raw: Buffer): void {
  switch (hook.auth.type) {
    case 'api_key': {
      const query = request.query as Record<string, string | string[] | undefined>;
      const given = one(request.headers[KEY_HEADER]) ?? one(query[KEY_PARAM]);
      if (!given) throw unauthorized('send the key in the X-Shipline-Key header or the key query parameter');
      if (!sameSecret(given, hook.secret)) throw unauthorized('wrong key');
      return;
    }
    case 'hmac_sha256': {
      const header = hook.auth.header!;
      const given = one(request.headers[header.toLowerCase()]);
      if (!given) throw unauthorized(`missing ${header} header (sha256=<hex HMAC-SHA256 of the body>)`);
      const expected = `sha256=${createHmac('sha256', hook.secret).update(raw).digest('hex')}`;
      if (!sameSecret(given.trim().toLowerCase(), expected)) throw unauthorized(`${header} does not match the body`);
      return;
    }
    case 'standard_webhooks': {
      const result = verifyStandardWebhook(hook.secret, request.headers, raw.toString('utf8'));
      if (!result.ok) throw unauthorized(result.reason);
      return;
    }
  }
}

/**
 * The sender's id for this delivery, the same on every retry: Standard Webhooks' `webhook-id`
 * (signed, and required, for standard_webhooks), else GitHub's `X-GitHub-Delivery`. A second
 * delivery with the same id is a repeat (a retry, or a replay of a captured request).
 */
const DELIVERY_ID_HEADERS: readonly string[] = ['webhook-id', 'x-github-delivery'];

function deliveryIdOf(request: FastifyRequest): string | undefined {
  for (const name of DELIVERY_ID_HEADERS) {
    const value = one(request.headers[name])?.trim();
    if (value) return value;
  }
  return undefined;
}

/** JSON when the delivery says it is JSON and it parses; otherwise the text as sent. */
function bodyOf(contentType: string | undefined, raw: Buffer): unknown {
  const text = raw.toString('utf8');
  if (contentType && JSON_TYPE.test(contentType)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      // A sender's malformed JSON is still a delivery: keep what it sent.
    }
  }
  return text;
}

function storedHeaders(request: FastifyRequest, hook: WebhookWithSecret): Record<string, string> {
  // Never the signature, even if someone chose an allow-listed header to carry it.
  const signatureHeader = hook.auth.header?.toLowerCase();
  const kept: Record<string, string> = {};
  for (const name of STORED_HEADERS) {
    const value = request.headers[name];
    if (value === undefined || name === signatureHeader) continue;
    kept[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return kept;
}

/**
 * External webhooks: `POST /hooks/<name>` from any system, authenticated by the webhook's own
 * key or signature (no API token). A valid delivery becomes a `webhook.<name>` event; 202 only
 * once it is committed. A repeat of a delivery id answers 200 `duplicate: true` and stores nothing.
 */
export function hookRoutes(store: Store) {
  // Registered as its own (encapsulated) plugin: the raw-body parsers below apply to /hooks only,
  // so every other route keeps answering 415 to anything but JSON.
  return async (app: App) => {
    // Signatures are over the exact bytes sent, so no parser may touch the body first.
    acceptRawBodies(app);

    app.post(
      '/hooks/:name',
      {
        schema: {
          summary: "Receive a delivery from an external system (authenticated by the webhook's key or signature)",
          tags: ['hooks'],
          params: Type.Object({ name: Type.String() }),
          response: { 200: HookAccepted, 202: HookAccepted, 401: ErrorBody, 404: ErrorBody, 413: ErrorBody },
        },
      },
      async (request, reply) => {
        const { name } = request.params;
        const hook = await store.webhooks.get(name);
        if (!hook) throw new ShiplineError('hook.not_found');
        const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        authenticate(hook, request, body);

        // The key is a credential: it authenticated this delivery and goes no further.
        const query: Record<string, unknown> = { ...(request.query as Record<string, unknown>) };
        delete query[KEY_PARAM];
        const event = {
          type: `webhook.${name}`,
          source: `webhook:${name}`,
          data: { body: bodyOf(request.headers['content-type'], body), query, headers: storedHeaders(request, hook) },
        };
        const deliveryId = deliveryIdOf(request);
        if (deliveryId === undefined) {
          // Nothing tells one delivery from another: each is stored.
          const stored = await store.events.append(event);
          return reply.status(202).send({ eventId: stored!.id, duplicate: false });
        }
        // The check and the insert are one step on the unique source key, so two copies sent at
        // once still store one event and start one set of runs.
        const received = await store.events.receive({ ...event, sourceKey: `webhook:${name}:${deliveryId}` });
        return reply.status(received.duplicate ? 200 : 202).send({ eventId: received.id, duplicate: received.duplicate });
      },
    );
  };
}
