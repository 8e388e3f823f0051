import type { HttpClient } from '../../engine/action.js';
import type { ConnectionWithSecrets } from '../../core/connection.js';
import type { ConnectionCheck, ConnectionType } from '../connection-type.js';
import { callSlack, NEEDS_A_SECRET, slackSchemas, slackSettings } from './client.js';
import { postMessageAction } from './post-message.js';
import { slackTemplates } from './templates.js';
import { updateMessageAction } from './update-message.js';
import { errorMessage } from '../../core/error-message.js';

/**
 * Checks the bot token with auth.test. An incoming webhook has no call that posts nothing, so a
 * webhook-only connection is reported ready without contacting Slack.
 */
async function test(connection: ConnectionWithSecrets, http: HttpClient, signal: AbortSignal): Promise<ConnectionCheck> {
  const settings = slackSettings(connection);
  if (settings.botToken) {
    try {
      const body = await callSlack({ http, apiUrl: settings.apiUrl, token: settings.botToken, signal }, 'auth.test');
      return {
        status: 'ready',
        details: {
          mode: settings.webhookUrl ? 'bot token and incoming webhook' : 'bot token',
          team: body.team ?? null,
          user: body.user ?? null,
          url: body.url ?? null,
          ...(typeof body.team_id === 'string' ? { teamId: body.team_id } : {}),
          ...(typeof body.bot_id === 'string' ? { botId: body.bot_id } : {}),
        },
      };
    } catch (err) {
      return { status: 'error', error: errorMessage(err) };
    }
  }
  if (settings.webhookUrl) {
    try {
      new URL(settings.webhookUrl);
    } catch {
      return { status: 'error', error: 'webhookUrl is not a URL' };
    }
    return {
      status: 'ready',
      contacted: false,
      details: {
        mode: 'incoming webhook',
        note: 'Not contacted: an incoming webhook has no call that posts nothing, so the URL is checked by the first message. Messages cannot be updated without a bot token.',
      },
    };
  }
  return { status: 'error', error: NEEDS_A_SECRET };
}

export const slackConnection: ConnectionType = {
  title: 'Slack',
  description:
    'Posts deploy messages to Slack channels with a bot token (chat.postMessage, and chat.update to edit a message as a deployment progresses) or an incoming-webhook URL (post only). The built-in deploy layout shows service, environment, version, a status colour, deployer, commit and links.',
  ...slackSchemas,
  test,
  actions: [postMessageAction, updateMessageAction],
  templates: slackTemplates,
  scriptEnv: {
    variables: [
      { name: 'SLACK_BOT_TOKEN', description: 'The bot token (xoxb-…), when the connection has one', secret: true },
      {
        name: 'SLACK_WEBHOOK_URL',
        description: 'The incoming-webhook URL, when the connection has one (the URL is the credential)',
        secret: true,
      },
      { name: 'SLACK_API_URL', description: 'The Web API base URL', secret: false },
      { name: 'SLACK_CHANNEL', description: 'The default channel, when configured', secret: false },
    ],
    values(connection) {
      const settings = slackSettings(connection);
      return {
        ...(settings.botToken ? { SLACK_BOT_TOKEN: settings.botToken } : {}),
        ...(settings.webhookUrl ? { SLACK_WEBHOOK_URL: settings.webhookUrl } : {}),
        SLACK_API_URL: settings.apiUrl,
        ...(settings.defaultChannel ? { SLACK_CHANNEL: settings.defaultChannel } : {}),
      };
    },
  },
};
