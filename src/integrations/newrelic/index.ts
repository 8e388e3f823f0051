import type { ConnectionType } from '../connection-type.js';
import { NerdGraphClient, NewRelicConfig, NewRelicSecrets, newRelicAccount } from './client.js';
import { markDeploymentAction } from './mark-deployment.js';
import { newRelicTemplates } from './templates.js';
import { errorMessage } from '../../core/error-message.js';

/** New Relic: deployment markers through NerdGraph's change tracking. */
export const newrelicConnection: ConnectionType = {
  type: 'newrelic',
  title: 'New Relic',
  description:
    'Records deployment markers (change tracking) on New Relic entities through the NerdGraph API with a user key, so charts and errors line up with what was deployed.',
  config: NewRelicConfig,
  secrets: NewRelicSecrets,
  async test(connection, http, signal) {
    try {
      const data = await new NerdGraphClient(http, newRelicAccount(connection), signal).query<{
        actor: { user: { name: string; email: string } };
      }>('{ actor { user { name email } } }');
      return { status: 'ready', details: { name: data.actor.user.name, email: data.actor.user.email } };
    } catch (error) {
      return { status: 'error', error: errorMessage(error) };
    }
  },
  actions: [markDeploymentAction],
  templates: newRelicTemplates,
  // NEW_RELIC_API_KEY is the name New Relic's CLI and Terraform provider read for a user key.
  scriptEnv: {
    variables: [
      { name: 'NEW_RELIC_API_KEY', description: 'The user key (NRAK-…), sent as the API-Key header', secret: true },
      { name: 'NEW_RELIC_API_URL', description: 'The NerdGraph endpoint (US or EU)', secret: false },
    ],
    values(connection) {
      const account = newRelicAccount(connection);
      return { NEW_RELIC_API_KEY: account.apiKey, NEW_RELIC_API_URL: account.apiUrl };
    },
  },
};
