import type { ConnectionWithSecrets } from '../../core/connection.js';
import type { HttpClient } from '../../engine/action.js';
import type { ConnectionCheck, ConnectionType } from '../connection-type.js';
import { getWebhook } from './client.js';
import { discordPostMessageAction } from './post-message.js';
import { discordSchemas, discordSettings } from './settings.js';
import { readConnection } from '../read-connection.js';
import { discordTemplates } from './templates.js';

/** Incoming is the only kind that accepts posts with its token (https://discord.com/developers/docs/resources/webhook#webhook-object-webhook-types). */
const INCOMING = 1;

/**
 * Reads the webhook with its token (`GET`, which posts nothing): the URL's id and token are
 * valid, the webhook still exists and is an incoming one, and which channel it posts to. The
 * answer also carries the token, which is left out of the details.
 */
async function test(connection: ConnectionWithSecrets, http: HttpClient, signal: AbortSignal): Promise<ConnectionCheck> {
  try {
    const { webhook } = discordSettings(connection);
    const found = await getWebhook(http, webhook, signal);
    if (found.type !== INCOMING)
      return {
        status: 'error',
        error: `webhook ${found.id} is not an incoming webhook (type ${found.type}); create one under Integrations → Webhooks`,
      };
    return {
      status: 'ready',
      details: {
        webhookId: found.id,
        name: found.name,
        channelId: found.channel_id,
        guildId: found.guild_id ?? null,
        checked: 'Get Webhook with its token: the webhook exists, the token is valid, and it is an incoming webhook (nothing was posted)',
      },
    };
  } catch (err) {
    return { status: 'error', error: (err as Error).message };
  }
}

export const discordConnection: ConnectionType = {
  type: 'discord',
  title: 'Discord',
  description:
    "Posts deploy messages to a Discord channel through the channel's incoming webhook (no bot needed). The built-in deploy embed shows the deploy summary linked to the deploy, a colour by status, service, environment, version, deployer, commit and a link to the run; the step's output is the posted message's id and channel.",
  config: discordSchemas.config,
  secrets: discordSchemas.secrets,
  test,
  actions: [discordPostMessageAction],
  templates: discordTemplates,
  scriptEnv: {
    variables: [{ name: 'DISCORD_WEBHOOK_URL', description: "The channel's webhook URL; the token in it is the credential", secret: true }],
    values: (connection) => ({ DISCORD_WEBHOOK_URL: readConnection(discordSchemas, connection).secrets.webhookUrl }),
  },
};
