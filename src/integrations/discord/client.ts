import type { HttpClient, HttpResponse } from '../../engine/action.js';
import { NonRetriableError } from '../../engine/action.js';
import { failureFor, isSuccess, parseJson } from '../provider-http.js';
import type { DiscordWebhook } from './webhook-url.js';
import { withoutToken } from './webhook-url.js';

/**
 * The two webhook calls Shipline makes, with the webhook's token as the only credential (no bot,
 * no Authorization header):
 *
 * - Get Webhook with Token, `GET /webhooks/{id}/{token}`: the webhook object, without `user`
 *   (https://discord.com/developers/docs/resources/webhook#get-webhook-with-token);
 * - Execute Webhook, `POST /webhooks/{id}/{token}?wait=true`: with `wait=true` Discord answers
 *   once the message is saved, with the message object, instead of 204 (and an error when it
 *   could not be saved) (https://discord.com/developers/docs/resources/webhook#execute-webhook).
 *
 * Errors are JSON `{code, message, errors?}`, `errors` nesting field paths down to
 * `_errors: [{code, message}]` (https://discord.com/developers/docs/reference#error-messages).
 * A 429 carries `retry_after` (seconds, a float) in the body and `Retry-After` in the headers
 * (https://discord.com/developers/docs/topics/rate-limits#exceeding-a-rate-limit). Discord asks
 * that a webhook answering 404 is not used again, so 404 is final.
 */

const TIMEOUT_MS = 30_000;
/** When a 429 says nothing usable about waiting. */
export const DEFAULT_RATE_LIMIT_MS = 1_000;

/** Discord's JSON error codes met on webhooks (https://discord.com/developers/docs/topics/opcodes-and-status-codes#json). */
const HINTS: Record<number, string> = {
  10015: 'the webhook was deleted; create a new one and update the connection',
  50027: 'the token in the webhook URL is not valid; copy the URL again',
  50006: 'the message is empty',
  50035: 'Discord refused a field of the message',
  40005: 'the message is too large',
};

/** What Get Webhook with Token answers (the fields Shipline reads). */
export interface DiscordWebhookObject {
  id: string;
  /** 1 Incoming, 2 Channel Follower, 3 Application. */
  type: number;
  name: string | null;
  channel_id: string | null;
  guild_id?: string | null;
  application_id: string | null;
}

/** What Execute Webhook with `wait=true` answers (the fields Shipline reads). */
export interface DiscordMessage {
  id: string;
  channel_id: string;
  webhook_id?: string;
}

/** The lines of a Form Body error: `embeds.0.fields.1.value: BASE_TYPE_MAX_LENGTH (Must be 1024 or fewer in length.)`. */
export function formErrors(errors: unknown, path: string[] = []): string[] {
  if (errors === null || typeof errors !== 'object') return [];
  const lines: string[] = [];
  for (const [key, value] of Object.entries(errors as Record<string, unknown>)) {
    if (key === '_errors' && Array.isArray(value)) {
      for (const e of value as Array<{ code?: unknown; message?: unknown }>)
        lines.push(`${path.join('.') || 'body'}: ${String(e?.code ?? 'ERROR')}${typeof e?.message === 'string' ? ` (${e.message})` : ''}`);
    } else lines.push(...formErrors(value, [...path, key]));
  }
  return lines;
}

/** Discord's own words for a failed answer: message, code, hint and field errors. */
function describeFailure(what: string, response: HttpResponse): string {
  const body = parseJson(response.body) as { code?: unknown; message?: unknown; errors?: unknown } | undefined;
  const parts = [`${what} answered HTTP ${response.status}`];
  if (body && typeof body.message === 'string') parts.push(`: ${body.message}`);
  if (body && typeof body.code === 'number' && body.code !== 0) {
    parts.push(` (code ${body.code}${HINTS[body.code] ? `: ${HINTS[body.code]}` : ''})`);
  } else if (!body) {
    const text = response.body.replace(/\s+/g, ' ').trim().slice(0, 200);
    if (text) parts.push(`: ${text}`);
  }
  const fields = formErrors(body?.errors);
  if (fields.length > 0) parts.push(`; ${fields.slice(0, 10).join('; ')}`);
  return parts.join('');
}

/** How long a 429 asks to wait: `retry_after` (seconds, a float), else `Retry-After`, else a second. */
export function rateLimitWaitMs(response: HttpResponse): number {
  const body = parseJson(response.body) as { retry_after?: unknown } | undefined;
  if (typeof body?.retry_after === 'number' && Number.isFinite(body.retry_after) && body.retry_after >= 0)
    return Math.ceil(body.retry_after * 1000);
  const header = Number(response.headers['retry-after']);
  return response.headers['retry-after'] !== undefined && Number.isFinite(header) && header >= 0
    ? Math.ceil(header * 1000)
    : DEFAULT_RATE_LIMIT_MS;
}

function rateLimitNote(response: HttpResponse): string {
  const scope = response.headers['x-ratelimit-scope'];
  const global = (parseJson(response.body) as { global?: unknown } | undefined)?.global === true;
  return global ? ' (global rate limit)' : scope ? ` (${scope} rate limit)` : '';
}

/** The request through the SSRF-guarded client, to the webhook URL plus `query`; a network error's message loses the token. */
async function send(
  http: HttpClient,
  webhook: DiscordWebhook,
  request: { method: 'GET' | 'POST'; query?: string; body?: string; signal?: AbortSignal | undefined },
): Promise<HttpResponse> {
  const { method, query = '', body, signal } = request;
  try {
    return await http.request({
      method,
      url: `${webhook.url}${query}`,
      headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body }),
      timeoutMs: TIMEOUT_MS,
      ...(signal ? { signal } : {}),
    });
  } catch (err) {
    const message = withoutToken(err instanceof Error ? err.message : String(err), webhook);
    throw err instanceof NonRetriableError ? new NonRetriableError(message) : new Error(message);
  }
}

/** A failed answer as the engine's outcome: 429 waits, 5xx retries, anything else fails now. */
function failure(what: string, response: HttpResponse, webhook: DiscordWebhook): Error {
  const message = withoutToken(describeFailure(what, response), webhook);
  if (response.status === 429) {
    const wait = rateLimitWaitMs(response);
    return failureFor(429, `${message}${rateLimitNote(response)}; retrying after ${wait} ms`, () => wait);
  }
  return failureFor(response.status, response.status >= 500 ? `${message}; will retry` : message, () => DEFAULT_RATE_LIMIT_MS);
}

/** An answer that is 2xx yet not the JSON object expected comes from something in between: worth another attempt. */
function objectOf<T>(what: string, response: HttpResponse, required: ReadonlyArray<keyof T & string>): T {
  const body = parseJson(response.body) as Record<string, unknown> | undefined;
  if (!body || typeof body !== 'object' || required.some((key) => body[key] === undefined))
    throw new Error(`${what} answered HTTP ${response.status} without the JSON Discord sends`);
  return body as T;
}

/** Get Webhook with Token: the webhook object. Throws as Execute does (429 waits, 404 is final...). */
export async function getWebhook(http: HttpClient, webhook: DiscordWebhook, signal?: AbortSignal): Promise<DiscordWebhookObject> {
  const response = await send(http, webhook, { method: 'GET', signal });
  if (!isSuccess(response.status)) throw failure('Discord (get webhook)', response, webhook);
  return objectOf<DiscordWebhookObject>('Discord (get webhook)', response, ['id', 'type']);
}

/** Execute Webhook with `wait=true`: the message Discord saved. */
export async function executeWebhook(
  http: HttpClient,
  webhook: DiscordWebhook,
  message: Record<string, unknown>,
  signal?: AbortSignal,
): Promise<DiscordMessage> {
  const response = await send(http, webhook, { method: 'POST', query: '?wait=true', body: JSON.stringify(message), signal });
  if (!isSuccess(response.status)) throw failure('Discord (execute webhook)', response, webhook);
  return objectOf<DiscordMessage>('Discord (execute webhook)', response, ['id', 'channel_id']);
}
