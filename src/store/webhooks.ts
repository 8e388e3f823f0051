import { randomBytes } from 'node:crypto';
import { ShiplineError } from '../core/errors.js';
import { open, seal } from '../core/secret-box.js';
import { generateSecret } from '../core/standard-webhooks.js';
import type { Db } from './database.js';

/**
 * How a webhook's deliveries prove they are genuine:
 * - `api_key`: a generated key in the `X-Shipline-Key` header or the `key` query parameter;
 * - `hmac_sha256`: GitHub style, `sha256=<hex HMAC-SHA256 of the raw body>` in `header`;
 * - `standard_webhooks`: the Standard Webhooks headers, signed with a `whsec_` secret.
 */
export type WebhookAuth = { type: 'api_key' } | { type: 'hmac_sha256'; header?: string } | { type: 'standard_webhooks' };
export type WebhookAuthType = WebhookAuth['type'];
export const WEBHOOK_AUTH_TYPES: readonly WebhookAuthType[] = ['api_key', 'hmac_sha256', 'standard_webhooks'];

export const WEBHOOK_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;
/** GitHub's header; the value is `sha256=<hex>`. */
export const DEFAULT_HMAC_HEADER = 'X-Hub-Signature-256';
const HEADER_NAME = /^[A-Za-z0-9-]{1,100}$/;

export interface Webhook {
  name: string;
  auth: { type: WebhookAuthType; header?: string };
  createdAt: string;
}

/** Only `create` returns the credential: `key` for api_key, `secret` for the signing types. */
export type CreatedWebhook = Webhook & ({ key: string } | { secret: string });

/** With the decrypted key or signing secret, to verify a delivery. */
export type WebhookWithSecret = Webhook & { secret: string };

function generateKey(): string {
  return `shk_${randomBytes(32).toString('base64url')}`;
}

function checkName(name: string): void {
  if (!WEBHOOK_NAME.test(name)) {
    throw new ShiplineError('request.invalid', 'A webhook name is 1–63 characters of a–z, 0–9, _ and -, starting with a letter or digit');
  }
}

function headerOf(auth: WebhookAuth): string | null {
  if (auth.type !== 'hmac_sha256') return null;
  const header = auth.header ?? DEFAULT_HMAC_HEADER;
  if (!HEADER_NAME.test(header))
    throw new ShiplineError('request.invalid', 'The signature header must be an HTTP header name (letters, digits and -)');
  return header;
}

/** External webhook endpoints at /hooks/<name>; the credential is stored encrypted under the master key. */
export function webhooksRepo(db: Db, key: Buffer) {
  const k = db.kysely;
  type Row = { name: string; auth_type: string; auth_header: string | null; created_at: string };
  const toWebhook = (r: Row): Webhook => ({
    name: r.name,
    auth:
      r.auth_header === null ? { type: r.auth_type as WebhookAuthType } : { type: r.auth_type as WebhookAuthType, header: r.auth_header },
    createdAt: r.created_at,
  });

  return {
    /** Creates a webhook with a fresh credential, returned here once and never again. */
    async create(name: string, auth: WebhookAuth): Promise<CreatedWebhook> {
      checkName(name);
      if (!WEBHOOK_AUTH_TYPES.includes(auth.type))
        throw new ShiplineError('request.invalid', `auth.type must be one of ${WEBHOOK_AUTH_TYPES.join(', ')}`);
      const header = headerOf(auth);
      const secret =
        auth.type === 'api_key' ? generateKey() : auth.type === 'standard_webhooks' ? generateSecret() : randomBytes(32).toString('hex');
      const row = { name, auth_type: auth.type, auth_header: header, secret: seal(key, secret), created_at: new Date().toISOString() };
      // DO NOTHING rather than catching a driver error: the same on both dialects, and race-free.
      const result = await k
        .insertInto('webhooks')
        .values(row)
        .onConflict((oc) => oc.column('name').doNothing())
        .executeTakeFirst();
      if (Number(result.numInsertedOrUpdatedRows ?? 0) === 0) throw new ShiplineError('webhook.name_conflict');
      const webhook = toWebhook(row);
      return auth.type === 'api_key' ? { ...webhook, key: secret } : { ...webhook, secret };
    },

    async list(): Promise<Webhook[]> {
      const rows = await k.selectFrom('webhooks').select(['name', 'auth_type', 'auth_header', 'created_at']).orderBy('name').execute();
      return rows.map(toWebhook);
    },

    /** One webhook without its credential; 404 `webhook.not_found` when there is none. */
    async find(name: string): Promise<Webhook> {
      const row = await k
        .selectFrom('webhooks')
        .select(['name', 'auth_type', 'auth_header', 'created_at'])
        .where('name', '=', name)
        .executeTakeFirst();
      if (!row) throw new ShiplineError('webhook.not_found');
      return toWebhook(row);
    },

    /** The webhook with its decrypted credential, or undefined. For verifying deliveries only. */
    async get(name: string): Promise<WebhookWithSecret | undefined> {
      const row = await k.selectFrom('webhooks').selectAll().where('name', '=', name).executeTakeFirst();
      return row ? { ...toWebhook(row), secret: open(key, row.secret) } : undefined;
    },

    /** Deletes a webhook: its URL answers 404 from then on; events it stored stay. */
    async remove(name: string): Promise<void> {
      const result = await k.deleteFrom('webhooks').where('name', '=', name).executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) throw new ShiplineError('webhook.not_found');
    },
  };
}

export type WebhooksRepo = ReturnType<typeof webhooksRepo>;
