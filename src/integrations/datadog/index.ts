import type { ConnectionType } from '../connection-type.js';
import { DatadogClient, DatadogConfig, DatadogSecrets, datadogAccount } from './client.js';
import { markDeploymentAction } from './mark-deployment.js';
import { datadogTemplates } from './templates.js';
import { errorMessage } from '../../core/error-message.js';

/** Datadog: deployment events for DORA metrics. */
export const datadogConnection: ConnectionType = {
  type: 'datadog',
  title: 'Datadog',
  description:
    "Sends deployments to Datadog's DORA metrics (deployment frequency, change lead time, failure rate) with an API key, on any Datadog site.",
  config: DatadogConfig,
  secrets: DatadogSecrets,
  async test(connection, http, signal) {
    try {
      const client = new DatadogClient(http, datadogAccount(connection), signal);
      const answer = await client.request<{ valid?: boolean }>('GET', '/api/v1/validate');
      if (answer.body.valid !== true) return { status: 'error', error: 'Datadog did not confirm the API key' };
      return { status: 'ready', details: { site: client.account.site } };
    } catch (error) {
      return { status: 'error', error: errorMessage(error) };
    }
  },
  actions: [markDeploymentAction],
  templates: datadogTemplates,
  // The names Datadog's own tools (datadog-ci, the Agent) read.
  scriptEnv: {
    variables: [
      { name: 'DD_API_KEY', description: 'The API key (DD-API-KEY header)', secret: true },
      { name: 'DD_APP_KEY', description: 'The application key (DD-APPLICATION-KEY header), when the connection has one', secret: true },
      { name: 'DD_SITE', description: 'The Datadog site, e.g. datadoghq.eu', secret: false },
      { name: 'DD_API_URL', description: 'The API base URL: https://api.<site>, or the configured one', secret: false },
    ],
    values(connection) {
      const account = datadogAccount(connection);
      return {
        DD_API_KEY: account.apiKey,
        ...(account.appKey ? { DD_APP_KEY: account.appKey } : {}),
        DD_SITE: account.site,
        DD_API_URL: account.baseUrl,
      };
    },
  },
};
