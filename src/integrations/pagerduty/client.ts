import { Type } from 'typebox';
import type { ActionContext, HttpClient, HttpResponse } from '../../engine/action.js';
import { NonRetriableError, RetryAfterError } from '../../engine/action.js';
import type { ConnectionWithSecrets } from '../../core/connection.js';
import { bodyExcerpt, isSuccess, parseJson } from '../provider-http.js';
import { trimTrailingSlashes } from '../../core/urls.js';
import { readConnection } from '../read-connection.js';

/**
 * PagerDuty as Shipline uses it (https://developer.pagerduty.com/docs/events-api-v2/overview/): the Events API v2 (alert
 * and change events; the routing key travels in the body, never in a header) and, only to test a
 * connection, the REST API (`Authorization: Token token=…`). Every call goes through the HTTP
 * client it is given; errors carry PagerDuty's own message.
 */

export const DEFAULT_EVENTS_URL = 'https://events.pagerduty.com';
export const DEFAULT_API_URL = 'https://api.pagerduty.com';
/** PagerDuty sends no Retry-After on 429; its docs suggest retrying about 30 s apart. */
export const EVENTS_RETRY_AFTER_MS = 30_000;
const TIMEOUT_MS = 30_000;

export const PagerDutyConfig = Type.Object(
  {
    eventsUrl: Type.Optional(
      Type.String({
        title: 'Events API URL',
        pattern: '^https?://[^\\s/]+',
        default: DEFAULT_EVENTS_URL,
        description: `The Events API v2 base URL; default ${DEFAULT_EVENTS_URL} (EU service region: https://events.eu.pagerduty.com)`,
      }),
    ),
    apiUrl: Type.Optional(
      Type.String({
        title: 'API URL',
        pattern: '^https?://[^\\s/]+',
        default: DEFAULT_API_URL,
        description: `The REST API base URL, used to test the API token; default ${DEFAULT_API_URL}`,
      }),
    ),
  },
  { additionalProperties: false },
);

export const PagerDutySecrets = Type.Object(
  {
    routingKey: Type.String({
      title: 'Integration (routing) key',
      minLength: 1,
      description: 'The 32-character integration key of an Events API v2 integration on a service (sent in the event body as routing_key)',
    }),
    apiToken: Type.Optional(
      Type.String({
        title: 'API token',
        minLength: 1,
        description: 'A REST API token (account or user); optional, only used to test the connection',
      }),
    ),
    webhookSecret: Type.Optional(
      Type.String({
        title: 'Webhook signing secret',
        minLength: 1,
        description: 'The signing secret PagerDuty shows when a v3 webhook subscription is created; needed to receive its webhooks',
      }),
    ),
  },
  { additionalProperties: false },
);

export interface PagerDutySettings {
  eventsUrl: string;
  apiUrl: string;
  routingKey: string;
  apiToken?: string;
  webhookSecret?: string;
}

export const pagerDutySchemas = { type: 'pagerduty', config: PagerDutyConfig, secrets: PagerDutySecrets };

/** The connection's settings with the defaults applied. */
export function settingsOf(connection: ConnectionWithSecrets): PagerDutySettings {
  const { config, secrets } = readConnection(pagerDutySchemas, connection);
  return {
    eventsUrl: trimTrailingSlashes(config.eventsUrl ?? DEFAULT_EVENTS_URL),
    apiUrl: trimTrailingSlashes(config.apiUrl ?? DEFAULT_API_URL),
    routingKey: secrets.routingKey,
    ...(secrets.apiToken ? { apiToken: secrets.apiToken } : {}),
    ...(secrets.webhookSecret ? { webhookSecret: secrets.webhookSecret } : {}),
  };
}

/** The step's PagerDuty connection; a misconfigured one, or one of another type, cannot be fixed by retrying. */
export async function openPagerDuty(ctx: ActionContext, name: string): Promise<PagerDutySettings> {
  return settingsOf(await ctx.connection(name));
}

/** What the Events API answers with 202 (change events carry no dedup_key). */
export interface EnqueueResponse {
  status: string;
  message: string;
  dedup_key?: string;
}

const asStrings = (value: unknown): string[] =>
  Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))) : [];

/** `Event object is invalid: Length of 'routing_key' is incorrect (...)` from an Events API error body. */
function eventsError(response: HttpResponse): string {
  const body = parseJson(response.body) as { message?: unknown; errors?: unknown } | undefined;
  const message = typeof body?.message === 'string' ? body.message : bodyExcerpt(response, 200);
  const errors = asStrings(body?.errors);
  return errors.length > 0 ? `${message}: ${errors.join('; ')}` : message;
}

/**
 * POSTs one event to the Events API (`/v2/enqueue` or `/v2/change/enqueue`) and maps the answer
 * to the engine's outcomes: 400 (an invalid event, including a wrong routing key) and other 4xx
 * fail now, 429 waits 30 s (PagerDuty names no delay), 5xx and network errors are retried.
 */
export async function enqueue(
  ctx: ActionContext,
  settings: PagerDutySettings,
  path: string,
  body: Record<string, unknown>,
): Promise<EnqueueResponse> {
  const url = `${settings.eventsUrl}${path}`;
  const response = await ctx.http.request({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', accept: 'application/json', 'user-agent': 'Shipline' },
    body: JSON.stringify(body),
    timeoutMs: TIMEOUT_MS,
    signal: ctx.signal,
  });
  ctx.log(`POST ${url} → ${response.status}`);
  if (isSuccess(response.status)) {
    const parsed = parseJson(response.body) as Partial<EnqueueResponse> | undefined;
    return {
      status: typeof parsed?.status === 'string' ? parsed.status : 'success',
      message: typeof parsed?.message === 'string' ? parsed.message : '',
      ...(typeof parsed?.dedup_key === 'string' ? { dedup_key: parsed.dedup_key } : {}),
    };
  }
  const detail = eventsError(response);
  if (response.status === 429) {
    const after = Number(response.headers['retry-after']);
    const wait = Number.isFinite(after) && after > 0 ? after * 1000 : EVENTS_RETRY_AFTER_MS;
    throw new RetryAfterError(`PagerDuty rate limited the event (HTTP 429: ${detail}); retrying in ${wait / 1000} s`, wait);
  }
  if (response.status >= 500) throw new Error(`PagerDuty answered HTTP ${response.status}: ${detail}`);
  if (response.status === 404)
    throw new NonRetriableError(`PagerDuty answered 404 for POST ${url}: is eventsUrl right (${settings.eventsUrl})? ${detail}`);
  throw new NonRetriableError(`PagerDuty refused the event (HTTP ${response.status}): ${detail}`);
}

/** `{"error":{"message","code","errors"}}`, the REST API's error body, as one line. */
function restError(response: HttpResponse): string {
  const body = parseJson(response.body) as { error?: { message?: unknown; errors?: unknown } } | undefined;
  const message = typeof body?.error?.message === 'string' ? body.error.message : bodyExcerpt(response, 200);
  const errors = asStrings(body?.error?.errors);
  return `${message}${errors.length > 0 ? ` (${errors.join('; ')})` : ''} (HTTP ${response.status})`;
}

/**
 * `GET /abilities` with the API token: a read every token may make (a user token or an account
 * token, read-only or not; `/users/me` refuses account tokens). Resolves with the account's
 * abilities, or rejects with PagerDuty's message.
 */
export async function listAbilities(http: HttpClient, settings: PagerDutySettings, signal: AbortSignal): Promise<string[]> {
  const response = await http.request({
    method: 'GET',
    url: `${settings.apiUrl}/abilities`,
    headers: {
      authorization: `Token token=${settings.apiToken ?? ''}`,
      accept: 'application/vnd.pagerduty+json;version=2',
      'user-agent': 'Shipline',
    },
    timeoutMs: TIMEOUT_MS,
    signal,
  });
  if (response.status !== 200) throw new Error(restError(response));
  const body = parseJson(response.body) as { abilities?: unknown } | undefined;
  return asStrings(body?.abilities);
}

/** PagerDuty's own wording for a malformed key, so the check reads like the Events API's answer. */
export function routingKeyProblem(key: string): string | null {
  const problems: string[] = [];
  if (key.length !== 32) problems.push("Length of 'routing_key' is incorrect (should be 32 characters)");
  if (!/^[A-Za-z0-9]*$/.test(key)) problems.push("'routing_key' cannot contain non-alphanumeric characters.");
  return problems.length > 0 ? problems.join(' ') : null;
}
