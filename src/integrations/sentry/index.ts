import type { ConnectionType } from '../connection-type.js';
import { SentryClient, SentryConfig, SentrySecrets, sentryAccount } from './client.js';
import { createDeployAction } from './create-deploy.js';
import { sentryTemplates } from './templates.js';
import { errorMessage } from '../../core/error-message.js';

/** Sentry: releases and deploys, so issues are tied to what was deployed where. */
export const sentryConnection: ConnectionType = {
  type: 'sentry',
  title: 'Sentry',
  description:
    'Records deploys of Sentry releases (creating the release when needed) with an auth token, on sentry.io, a regional host or a self-hosted Sentry, so new issues point at the deploy that brought them.',
  config: SentryConfig,
  secrets: SentrySecrets,
  async test(connection, http, signal) {
    try {
      const client = new SentryClient(http, sentryAccount(connection), signal);
      const org = await client.request<{ slug?: string; name?: string }>('GET', client.orgPath());
      return { status: 'ready', details: { organization: org.body.slug ?? client.account.organization, name: org.body.name ?? null } };
    } catch (error) {
      return { status: 'error', error: errorMessage(error) };
    }
  },
  actions: [createDeployAction],
  templates: sentryTemplates,
  // The names sentry-cli reads.
  scriptEnv: {
    variables: [
      { name: 'SENTRY_AUTH_TOKEN', description: 'The auth token', secret: true },
      { name: 'SENTRY_URL', description: "Sentry's address (https://sentry.io unless configured)", secret: false },
      { name: 'SENTRY_ORG', description: "The organization's slug", secret: false },
      { name: 'SENTRY_PROJECT', description: 'The default project, when configured', secret: false },
    ],
    values(connection) {
      const account = sentryAccount(connection);
      return {
        SENTRY_AUTH_TOKEN: account.authToken,
        SENTRY_URL: account.apiUrl,
        SENTRY_ORG: account.organization,
        ...(account.project ? { SENTRY_PROJECT: account.project } : {}),
      };
    },
  },
};
