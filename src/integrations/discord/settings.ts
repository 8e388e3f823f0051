import type { ConnectionWithSecrets } from '../../core/connection.js';
import type { DiscordWebhook } from './webhook-url.js';
import { parseWebhookUrl } from './webhook-url.js';

/** What a Discord connection holds, read once: its webhook (the connection has no other settings). */
export interface DiscordSettings {
  webhook: DiscordWebhook;
}

/** The settings of a Discord connection; throws NonRetriableError (without the URL) when the webhook URL is unusable. */
export function discordSettings(connection: ConnectionWithSecrets): DiscordSettings {
  return { webhook: parseWebhookUrl(connection.secrets.webhookUrl) };
}
