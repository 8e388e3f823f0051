import { Type } from 'typebox';
import type { ConnectionWithSecrets } from '../../core/connection.js';
import { readConnection } from '../read-connection.js';
import type { DiscordWebhook } from './webhook-url.js';
import { EXAMPLE_WEBHOOK_URL, parseWebhookUrl, WEBHOOK_URL_PATTERN } from './webhook-url.js';

/** The connection's declared settings: nothing to configure besides its webhook URL (a secret). */
export const discordSchemas = {
  type: 'discord',
  config: Type.Object({}, { additionalProperties: false }),
  secrets: Type.Object(
    {
      webhookUrl: Type.String({
        pattern: WEBHOOK_URL_PATTERN,
        title: 'Webhook URL',
        examples: [EXAMPLE_WEBHOOK_URL],
        sensitive: true,
        description:
          "The channel's webhook URL (Channel settings → Integrations → Webhooks → Copy Webhook URL): https://discord.com/api/webhooks/{id}/{token}; the token in it is the credential",
      }),
    },
    { additionalProperties: false },
  ),
};

/** What a Discord connection holds, read once: its webhook (the connection has no other settings). */
export interface DiscordSettings {
  webhook: DiscordWebhook;
}

/**
 * The settings of a Discord connection, read against the declared schemas; throws
 * NonRetriableError (naming the field, never the URL) when the connection is of another type or
 * its webhook URL is unusable.
 */
export function discordSettings(connection: ConnectionWithSecrets): DiscordSettings {
  const { secrets } = readConnection(discordSchemas, connection);
  return { webhook: parseWebhookUrl(secrets.webhookUrl) };
}
