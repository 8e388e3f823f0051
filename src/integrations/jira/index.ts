import type { ConnectionType } from '../connection-type.js';
import { addCommentAction } from './add-comment.js';
import { JiraClient, JiraConfig, JiraSecrets, jiraSite } from './client.js';
import { createIssueAction } from './create-issue.js';
import { jiraTemplates } from './templates.js';
import { errorMessage } from '../../core/error-message.js';

/** Jira Cloud: create issues and comment on them (REST API v3, Basic auth with an API token). */
export const jiraConnection: ConnectionType = {
  type: 'jira',
  title: 'Jira Cloud',
  description:
    "Creates Jira issues and adds comments through Jira Cloud's REST API, as an Atlassian account with an API token, e.g. a ticket for every failed production deploy.",
  config: JiraConfig,
  secrets: JiraSecrets,
  async test(connection, http, signal) {
    try {
      const me = await new JiraClient(http, jiraSite(connection), signal).myself();
      return { status: 'ready', details: { accountId: me.accountId, displayName: me.displayName } };
    } catch (error) {
      return { status: 'error', error: errorMessage(error) };
    }
  },
  actions: [createIssueAction, addCommentAction],
  templates: jiraTemplates,
  scriptEnv: {
    variables: [
      { name: 'JIRA_SITE_URL', description: 'The Jira Cloud site, e.g. https://your-site.atlassian.net', secret: false },
      { name: 'JIRA_EMAIL', description: 'The Atlassian account the token belongs to (the Basic auth user)', secret: false },
      { name: 'JIRA_API_TOKEN', description: 'The API token (the Basic auth password)', secret: true },
      { name: 'JIRA_PROJECT', description: 'The default project key, when configured', secret: false },
    ],
    values(connection) {
      const site = jiraSite(connection);
      return {
        JIRA_SITE_URL: site.siteUrl,
        JIRA_EMAIL: site.email,
        JIRA_API_TOKEN: site.apiToken,
        ...(site.project ? { JIRA_PROJECT: site.project } : {}),
      };
    },
  },
};
