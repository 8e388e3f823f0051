import type { ReactionTemplate } from '../connection-type.js';
import { connectionBlank, spot } from '../template-blanks.js';

/** Ready-made reactions using Jira; only the connection name needs filling in (its `project` is the default project). */
export const jiraTemplates: ReactionTemplate[] = [
  {
    name: 'jira-ticket-on-failure',
    description: 'Open a Jira issue when a deploy fails, with what failed, who deployed and where to look',
    yaml: `name: jira-ticket-on-failure
description: Open a Jira issue when a deploy fails
on:
  event: deploy.failed   # every failure once: reported by a pipeline, Octopus or GitHub, or marked by someone
steps:
  ticket:
    uses: jira.createIssue
    with:
      connection: jira           # the Jira connection; its \`project\` is where the issue goes
      summary: "Deploy of {{ data.service.name | default: data.serviceAlias }} {{ data.deployNumber }} to {{ data.environment | default: 'an unnamed environment' }} failed"
      description: |
        {{ data.failure.reason | default: 'The deploy failed.' }}

        Service: {{ data.service.name | default: data.serviceAlias }}
        Environment: {{ data.environment | default: 'none' }}
        Version: {{ data.deployNumber }}
        Deployed by: {{ data.deployer.name | default: data.deployer.email | default: 'unknown' }}
        Commit: {{ data.commit.sha | default: 'unknown' }}
        Details: {{ data.deployUrl | default: 'no link was given' }}
      labels: [shipline, deploy-failure]
    retry: { attempts: 5, backoff: exponential, initial: 2s, max: 1m }
`,
    blanks: [connectionBlank('jira', 'Jira', spot('steps', 'ticket', 'with', 'connection'))],
  },
];
