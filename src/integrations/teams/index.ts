import { Type } from 'typebox';
import type { ConnectionWithSecrets } from '../../core/connection.js';
import type { ConnectionCheck, ConnectionType } from '../connection-type.js';
import { DEFAULT_CARD_VERSION } from './card.js';
import { describeWebhookUrl, parseWebhookUrl } from './client.js';
import { teamsPostMessageAction } from './post-message.js';
import { teamsTemplates } from './templates.js';
import { errorMessage } from '../../core/error-message.js';
import { readConnection } from '../read-connection.js';

const TeamsConfig = Type.Object(
  {
    cardVersion: Type.Optional(
      Type.String({
        title: 'Card version',
        pattern: '^1\\.[0-6]$',
        default: DEFAULT_CARD_VERSION,
        description: `The Adaptive Card schema version sent; default ${DEFAULT_CARD_VERSION}, the one Workflows render reliably`,
      }),
    ),
  },
  { additionalProperties: false },
);

const TeamsSecrets = Type.Object(
  {
    webhookUrl: Type.String({
      title: 'Webhook URL',
      pattern: '^https?://',
      description:
        'The channel\'s Workflows webhook URL ("Post to a channel when a webhook request is received"), or a legacy connector URL; the URL is the credential',
    }),
  },
  { additionalProperties: false },
);

/**
 * Teams webhooks have no call that posts nothing, so the check reads the URL only: which kind
 * of webhook it is, and a warning for retiring connector URLs.
 */
async function test(connection: ConnectionWithSecrets): Promise<ConnectionCheck> {
  let url: URL;
  try {
    url = parseWebhookUrl(connection.secrets.webhookUrl);
  } catch (err) {
    return { status: 'error', error: errorMessage(err) };
  }
  const info = describeWebhookUrl(url);
  return {
    status: 'ready',
    details: {
      kind: info.kind,
      host: info.host,
      note: 'Not contacted: a Teams webhook has no call that posts nothing, so the URL is checked by the first message.',
      ...(info.warning ? { warning: info.warning } : {}),
    },
  };
}

const teamsSchemas = { type: 'teams', config: TeamsConfig, secrets: TeamsSecrets };

export const teamsConnection: ConnectionType = {
  type: 'teams',
  title: 'Microsoft Teams',
  description:
    'Posts Adaptive Cards to a Microsoft Teams channel through a Workflows (Power Automate) webhook, or a legacy Office 365 connector URL while those last. The built-in deploy card shows the deploy summary coloured by status, its facts, and links to the deploy and the run.',
  config: TeamsConfig,
  secrets: TeamsSecrets,
  test,
  actions: [teamsPostMessageAction],
  templates: teamsTemplates,
  scriptEnv: {
    variables: [
      { name: 'TEAMS_WEBHOOK_URL', description: 'The Workflows (or connector) webhook URL; the URL is the credential', secret: true },
    ],
    values: (connection) => ({ TEAMS_WEBHOOK_URL: readConnection(teamsSchemas, connection).secrets.webhookUrl }),
  },
};
