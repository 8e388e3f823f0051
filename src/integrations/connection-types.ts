import type { ConnectionType } from './connection-type.js';
import { datadogConnection } from './datadog/index.js';
import { discordConnection } from './discord/index.js';
import { emailConnection } from './email/index.js';
import { githubConnection } from './github/index.js';
import { jiraConnection } from './jira/index.js';
import { newrelicConnection } from './newrelic/index.js';
import { octopusConnection } from './octopus/index.js';
import { pagerdutyConnection } from './pagerduty/index.js';
import { sentryConnection } from './sentry/index.js';
import { slackConnection } from './slack/index.js';
import { teamsConnection } from './teams/index.js';

/** Every integration with a connection: the registry, the API and the docs are built from this list. */
export const CONNECTION_TYPES: readonly ConnectionType[] = [
  octopusConnection,
  slackConnection,
  teamsConnection,
  discordConnection,
  pagerdutyConnection,
  githubConnection,
  jiraConnection,
  emailConnection,
  newrelicConnection,
  datadogConnection,
  sentryConnection,
];
