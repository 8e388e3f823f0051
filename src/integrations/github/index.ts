import type { ConnectionCheck, ConnectionType } from '../connection-type.js';
import { GitHubConfig, githubFetch, githubMessage, GitHubSecrets, settingsOf } from './client.js';
import { createDeploymentStatusAction } from './create-deployment-status.js';
import { createIssueAction } from './create-issue.js';
import { dispatchAction } from './dispatch.js';
import { githubTemplates } from './templates.js';
import { githubWebhook } from './webhook-handler.js';
import { errorMessage } from '../../core/error-message.js';
import { GITHUB_EVENTS } from './events.js';

/**
 * The GitHub integration: issues, repository_dispatch and deployment statuses through the REST
 * API, and webhooks as `github.*` events, with finished deployments recorded in the catalog.
 */
export const githubConnection: ConnectionType = {
  type: 'github',
  title: 'GitHub',
  description:
    'Opens issues, starts workflows with repository_dispatch and sets deployment statuses through the GitHub REST API with a token. ' +
    'A repository or organization webhook pointed at Shipline (with the same secret stored here) turns deliveries into github.<event>.<action> events, ' +
    'and each finished deployment (deployment_status success, failure or error) into a deploy in the catalog.',
  config: GitHubConfig,
  secrets: GitHubSecrets,

  async test(connection, http, signal): Promise<ConnectionCheck> {
    const settings = settingsOf(connection);
    try {
      const user = await githubFetch(http, settings, 'GET', '/user', undefined, signal);
      if (user.status !== 200) return { status: 'error', error: `GitHub ${user.status}: ${githubMessage(user)}` };
      const details: Record<string, unknown> = { login: (user.json as { login?: unknown } | undefined)?.login ?? null };
      const scopes = user.headers['x-oauth-scopes'];
      if (scopes !== undefined) details.scopes = scopes;
      if (settings.owner && settings.repo) {
        // The default repository is worth checking too: a typo there fails every action later.
        const path = `/repos/${encodeURIComponent(settings.owner)}/${encodeURIComponent(settings.repo)}`;
        const repo = await githubFetch(http, settings, 'GET', path, undefined, signal);
        if (repo.status !== 200)
          return {
            status: 'error',
            error: `GitHub ${repo.status} for ${settings.owner}/${settings.repo}: ${githubMessage(repo)}`,
            details,
          };
        details.repository = (repo.json as { full_name?: unknown } | undefined)?.full_name ?? `${settings.owner}/${settings.repo}`;
      }
      return { status: 'ready', details };
    } catch (err) {
      return { status: 'error', error: `GitHub: ${errorMessage(err)}` };
    }
  },

  actions: [createIssueAction, dispatchAction, createDeploymentStatusAction],
  webhook: githubWebhook,
  events: GITHUB_EVENTS,
  templates: githubTemplates,
  // The names GitHub Actions and the gh CLI use.
  scriptEnv: {
    variables: [
      { name: 'GITHUB_TOKEN', description: 'The token', secret: true },
      { name: 'GITHUB_API_URL', description: 'The REST API base URL (https://api.github.com unless configured)', secret: false },
      { name: 'GITHUB_REPOSITORY', description: 'owner/repo, when the connection names a default repository', secret: false },
    ],
    values(connection) {
      const settings = settingsOf(connection);
      return {
        GITHUB_TOKEN: settings.token,
        GITHUB_API_URL: settings.apiUrl,
        ...(settings.owner && settings.repo ? { GITHUB_REPOSITORY: `${settings.owner}/${settings.repo}` } : {}),
      };
    },
  },
};
