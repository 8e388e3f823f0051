import { NonRetriableError } from '../../engine/action.js';

/**
 * A Discord incoming-webhook URL, as Discord shows it under Channel settings → Integrations →
 * Webhooks → Copy Webhook URL: `https://discord.com/api/webhooks/{webhook.id}/{webhook.token}`
 * (https://discord.com/developers/docs/resources/webhook#execute-webhook). The token in the
 * path is the credential: whoever has the URL can post to the channel, so the URL is a secret
 * and never appears in an error, a log line or an output.
 *
 * Discord also serves the same webhooks on `discordapp.com` (the old domain) and the `ptb.` and
 * `canary.` client hosts, with or without an API version (`/api/v10/webhooks/…`). The only other
 * host accepted is a loopback one (a stand-in on this machine), which the SSRF-guarded client
 * still refuses unless SHIPLINE_ALLOW_HOSTS lists it: the token can go to Discord or to a host
 * the operator allowed, nowhere else.
 */

const DISCORD_HOST = '((ptb|canary)\\.)?discord(app)?\\.com';
const LOOPBACK_HOST = '(localhost|127\\.0\\.0\\.1|\\[::1\\])(:[0-9]{1,5})?';
const WEBHOOK_PATH = '/api(/v[0-9]{1,2})?/webhooks/([0-9]{17,20})/([A-Za-z0-9_-]{20,100})';

/** The schema pattern of the `webhookUrl` secret (the same rule `parseWebhookUrl` applies). */
export const WEBHOOK_URL_PATTERN = `^(https://${DISCORD_HOST}|https?://${LOOPBACK_HOST})${WEBHOOK_PATH}$`;
const WEBHOOK_URL = new RegExp(WEBHOOK_URL_PATTERN);
const ID_AND_TOKEN = /\/webhooks\/([0-9]+)\/([A-Za-z0-9_-]+)$/;

/** An example for forms and docs (a made-up id and token). */
export const EXAMPLE_WEBHOOK_URL = 'https://discord.com/api/webhooks/223704706495545344/3d89bb7572e0fb30d8128367b3b1b44fecd1726de135cbe2';

/** A webhook URL taken apart: where to send requests, and the two parts of the path. */
export interface DiscordWebhook {
  /** The URL as copied from Discord (no query): `GET` reads the webhook, `POST` executes it. */
  url: string;
  /** The webhook's id (a snowflake): safe to show. */
  id: string;
  /** The webhook's token: a secret. */
  token: string;
}

/** Why `value` is not a Discord webhook URL, or null when it is one. */
export function webhookUrlProblem(value: string | undefined): string | null {
  if (!value) return 'the Discord connection has no webhookUrl';
  if (WEBHOOK_URL.test(value)) return null;
  // Say what is wrong without echoing the value: it may be a real token pasted into the wrong field.
  if (!/^https?:\/\//.test(value)) return "the Discord connection's webhookUrl is not an http(s) URL";
  return "the Discord connection's webhookUrl must look like https://discord.com/api/webhooks/<id>/<token> (copy it from the channel's Integrations → Webhooks)";
}

/** The webhook of a connection's `webhookUrl`; throws NonRetriableError (without the URL) when it is not one. */
export function parseWebhookUrl(value: string | undefined): DiscordWebhook {
  const problem = webhookUrlProblem(value);
  if (problem) throw new NonRetriableError(problem);
  const [, id, token] = ID_AND_TOKEN.exec(value!)!;
  return { url: value!, id: id!, token: token! };
}

/** `text` with the token replaced, for messages that might quote a URL (a network error names it). */
export function withoutToken(text: string, webhook: DiscordWebhook): string {
  return text.split(webhook.token).join('<token>');
}
