import { Type } from 'typebox';
import type { HttpClient, HttpResponse } from '../../engine/action.js';
import { NonRetriableError, RetryAfterError } from '../../engine/action.js';
import type { ConnectionWithSecrets } from '../../core/connection.js';
import { retryAfterMs } from '../../actions/http/status.js';
import { trimTrailingSlashes } from '../../core/urls.js';
import { readConnection } from '../read-connection.js';

/**
 * Slack's Web API and incoming webhooks as Shipline uses them (https://api.slack.com/methods/chat.postMessage,
 * https://api.slack.com/messaging/webhooks): JSON bodies with the bot token in the `Authorization` header (a JSON body cannot carry
 * it), outcomes read from `ok`/`error` in HTTP 200 answers, 429 and `ratelimited` retried after
 * `Retry-After`, Slack's own error codes in every error.
 */

export const DEFAULT_API_URL = 'https://slack.com/api';
const JSON_TYPE = 'application/json; charset=utf-8';
const TIMEOUT_MS = 30_000;

export const SlackConfig = Type.Object(
  {
    apiUrl: Type.Optional(
      Type.String({ title: 'API URL', default: DEFAULT_API_URL, description: `The Web API base URL; default ${DEFAULT_API_URL}` }),
    ),
    defaultChannel: Type.Optional(
      Type.String({
        title: 'Default channel',
        placeholder: '#deploys',
        description: 'Channel ID (C…) or #name used when a step names none',
      }),
    ),
  },
  { additionalProperties: false },
);

export const SlackSecrets = Type.Object(
  {
    botToken: Type.Optional(
      Type.String({
        title: 'Bot token',
        placeholder: 'xoxb-…',
        pattern: '^xox[a-z]-',
        description: 'A bot token (xoxb-…) with chat:write; needed to update messages. Give this or webhookUrl',
      }),
    ),
    webhookUrl: Type.Optional(
      Type.String({
        title: 'Webhook URL',
        placeholder: 'https://hooks.slack.com/services/…',
        pattern: '^https?://',
        description: 'An incoming-webhook URL (https://hooks.slack.com/services/…); posts only, to the channel chosen at install',
      }),
    ),
  },
  { additionalProperties: false },
);

export const slackSchemas = { type: 'slack', config: SlackConfig, secrets: SlackSecrets };

/** A connection's settings, with defaults applied. */
export interface SlackSettings {
  apiUrl: string;
  defaultChannel: string | null;
  botToken: string | null;
  webhookUrl: string | null;
}

export function slackSettings(connection: ConnectionWithSecrets): SlackSettings {
  const { config, secrets } = readConnection(slackSchemas, connection);
  return {
    apiUrl: trimTrailingSlashes((config.apiUrl ?? DEFAULT_API_URL).trim()),
    defaultChannel: config.defaultChannel?.trim() ?? null,
    botToken: secrets.botToken?.trim() ?? null,
    webhookUrl: secrets.webhookUrl?.trim() ?? null,
  };
}

export const NEEDS_A_SECRET =
  'the Slack connection has neither a bot token (botToken, xoxb-…) nor an incoming-webhook URL (webhookUrl); add one';

/** The connection by name, checked to be a Slack one with a way to post. */
export async function openSlack(
  ctx: { connection(nameOrId: string): Promise<ConnectionWithSecrets> },
  name: string,
  action: string,
): Promise<SlackSettings> {
  const settings = slackSettings(await ctx.connection(name));
  if (!settings.botToken && !settings.webhookUrl) throw new NonRetriableError(`${action}: ${NEEDS_A_SECRET}`);
  return settings;
}

/** Error codes that are Slack's trouble, not the request's: worth another attempt. */
const TRANSIENT = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'team_added_to_org']);
const RATE_LIMITED = new Set(['ratelimited', 'rate_limited']);
/** What to do about the codes people meet first. */
const HINTS: Record<string, string> = {
  not_authed: 'no token was sent',
  invalid_auth: 'the bot token is not valid; check the connection',
  token_revoked: 'the bot token was revoked; reinstall the app and update the connection',
  account_inactive: 'the token belongs to a deleted user or an uninstalled app',
  channel_not_found: 'no channel by that name or ID the app can see; use the channel ID (C…) and invite the app',
  not_in_channel: 'invite the app to the channel, or grant it chat:write.public for public channels',
  is_archived: 'the channel is archived',
  missing_scope: 'the app lacks a scope',
  message_not_found: 'no message with that ts in that channel',
  cant_update_message: 'the app can edit only messages it posted',
  no_text: 'the message has no text, blocks or attachments',
};

/** A Slack answer `{ok: false}` that retrying cannot fix. */
export class SlackApiError extends NonRetriableError {
  constructor(
    readonly method: string,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface SlackCall {
  http: HttpClient;
  apiUrl: string;
  token: string;
  signal?: AbortSignal;
  now?: () => Date;
}

function describeError(method: string, body: Record<string, unknown>): string {
  const code = String(body.error);
  const parts = [`Slack ${method}: ${code}`];
  if (HINTS[code]) parts.push(`(${HINTS[code]})`);
  if (typeof body.needed === 'string')
    parts.push(`needed scope ${body.needed}${typeof body.provided === 'string' ? `, token has ${body.provided}` : ''}`);
  if (Array.isArray(body.errors)) parts.push(`: ${body.errors.map(String).join('; ')}`);
  const messages = (body.response_metadata as { messages?: unknown } | undefined)?.messages;
  if (Array.isArray(messages)) parts.push(`: ${messages.map(String).join('; ')}`);
  return parts.join(' ');
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function rateLimited(what: string, response: HttpResponse, now: Date): RetryAfterError {
  const wait = retryAfterMs(response.headers['retry-after'], now);
  return new RetryAfterError(`${what} was rate limited by Slack (Retry-After ${wait} ms)`, wait);
}

/**
 * Calls a Web API method (`chat.postMessage`) and returns the `ok: true` body. Throws
 * RetryAfterError on 429/`ratelimited`, a plain Error on 5xx and Slack's transient codes,
 * SlackApiError (non-retriable) on every other `ok: false`, NonRetriableError on other 4xx.
 */
export async function callSlack(call: SlackCall, method: string, args?: Record<string, unknown>): Promise<Record<string, unknown>> {
  const response = await call.http.request({
    method: 'POST',
    url: `${call.apiUrl}/${method}`,
    headers: {
      authorization: `Bearer ${call.token}`,
      ...(args === undefined ? {} : { 'content-type': JSON_TYPE }),
    },
    ...(args === undefined ? {} : { body: JSON.stringify(args) }),
    timeoutMs: TIMEOUT_MS,
    ...(call.signal ? { signal: call.signal } : {}),
  });
  const now = call.now?.() ?? new Date();
  if (response.status === 429) throw rateLimited(`Slack ${method}`, response, now);
  if (response.status >= 500) throw new Error(`Slack ${method} answered HTTP ${response.status}; will retry`);
  if (response.status === 404)
    throw new NonRetriableError(`Slack ${method} answered HTTP 404: no such method at ${call.apiUrl}; check the connection's apiUrl`);
  if (response.status < 200 || response.status >= 300) {
    const code = parseObject(response.body)?.error;
    throw new NonRetriableError(`Slack ${method} answered HTTP ${response.status}${typeof code === 'string' ? `: ${code}` : ''}`);
  }
  const body = parseObject(response.body);
  // A 200 that is not Slack's JSON comes from something in between (a proxy page); try again later.
  if (!body || typeof body.ok !== 'boolean') throw new Error(`Slack ${method} answered HTTP ${response.status} without a Slack JSON body`);
  if (body.ok) return body;
  const code = typeof body.error === 'string' ? body.error : 'unknown_error';
  if (RATE_LIMITED.has(code)) throw rateLimited(`Slack ${method}`, response, now);
  if (TRANSIENT.has(code)) throw new Error(`${describeError(method, body)}; will retry`);
  throw new SlackApiError(method, code, describeError(method, body));
}

/** Slack's non-fatal notes on a successful call (`missing_charset`, `message_truncated`...). */
export function warningsOf(body: Record<string, unknown>): string[] {
  const out: string[] = [];
  if (typeof body.warning === 'string') out.push(...body.warning.split(','));
  const warnings = (body.response_metadata as { warnings?: unknown } | undefined)?.warnings;
  if (Array.isArray(warnings)) out.push(...warnings.map(String));
  return [...new Set(out)];
}

/** Incoming-webhook error strings (plain text with the status) and what they mean. */
const WEBHOOK_HINTS: Record<string, string> = {
  invalid_payload: 'Slack could not read the message',
  user_not_found: 'the user the webhook posts as no longer exists',
  action_prohibited: 'an admin has restricted posting to this channel',
  channel_not_found: "the webhook's channel no longer exists",
  channel_is_archived: "the webhook's channel is archived",
  no_service: 'the webhook URL was revoked or disabled, or the app was uninstalled',
  no_text: 'the message has no text, blocks or attachments',
  missing_text_or_fallback_or_attachments: 'the message has no text, blocks or attachments',
};

/**
 * Posts a message to an incoming webhook. Success is HTTP 200 with the text `ok`; errors are
 * plain-text codes with a status (400/403/404/410 are final, 429 waits, 5xx is retried).
 */
export async function postToWebhook(
  http: HttpClient,
  webhookUrl: string,
  message: Record<string, unknown>,
  options: { signal?: AbortSignal; now?: () => Date } = {},
): Promise<void> {
  let url: URL;
  try {
    url = new URL(webhookUrl);
  } catch {
    throw new NonRetriableError("the Slack connection's webhookUrl is not a URL");
  }
  const response = await http.request({
    method: 'POST',
    url: url.href,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(message),
    timeoutMs: TIMEOUT_MS,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (response.status >= 200 && response.status < 300) return;
  const code = response.body.trim().slice(0, 200);
  const what = `Slack incoming webhook answered HTTP ${response.status}${code ? `: ${code}` : ''}`;
  const detail = WEBHOOK_HINTS[code] ? ` (${WEBHOOK_HINTS[code]})` : '';
  if (response.status === 429) throw rateLimited('The Slack incoming webhook', response, options.now?.() ?? new Date());
  if (response.status >= 500) throw new Error(`${what}; will retry`);
  throw new NonRetriableError(`${what}${detail}`);
}
