import type { ReactionTemplate } from '../connection-type.js';
import { connectionBlank, spot, textBlank } from '../template-blanks.js';

/**
 * Ready-made GitHub reactions. The repository is the connection's `owner`/`repo`; optional deploy
 * fields go through `default` or `{% if %}`, since templates fail on a missing variable.
 */

const retry = '{ attempts: 5, backoff: exponential, initial: 10s, max: 10m }';

export const githubTemplates: ReactionTemplate[] = [
  {
    name: 'github-issue-on-failure',
    description: "Open an issue in the connection's repository when a deploy fails",
    yaml: `name: github-issue-on-failure
description: Open a GitHub issue when a deploy fails
on:
  event: deploy.failed   # every failure once: reported by a pipeline, Octopus or GitHub, or marked by someone
steps:
  issue:
    uses: github.createIssue
    with:
      connection: github
      title: "Deploy {{ data.serviceAlias }} #{{ data.deployNumber }} to {{ data.environment | default: 'no environment' }} failed"
      body: |
        The deploy of **{{ data.serviceAlias }}** #{{ data.deployNumber }} to **{{ data.environment | default: 'no environment' }}** failed at {{ data.deployedAt }}.

        {{ data.failure.reason }}
        {% if data.deployUrl %}
        Deploy: {{ data.deployUrl }}{% endif %}{% if data.commit %}
        Commit: {{ data.commit.sha | default: 'unknown' }}{% endif %}
        Deployed by: {{ data.deployer.name | default: data.deployer.email | default: 'unknown' }}
      labels: [deploy-failure]
    retry: ${retry}
`,
    blanks: [connectionBlank('github', 'GitHub', spot('steps', 'issue', 'with', 'connection'))],
  },
  {
    name: 'github-dispatch-on-production-deploy',
    description:
      'Start GitHub Actions workflows (on: repository_dispatch, types: [shipline-production-deploy]) after each successful production deploy',
    // Deploys GitHub itself reported are left out, so a workflow that deploys cannot start itself again.
    yaml: `name: github-dispatch-on-production-deploy
description: Send a repository_dispatch to GitHub after each successful production deploy
on:
  event: deploy.*   # deploy.recorded, and deploy.updated when a deployment's status moves (Octopus, GitHub)
  filter: { status: succeeded, environment: [production, Production, prod] }
  if: data.source != "github"
steps:
  dispatch:
    uses: github.dispatch
    with:
      connection: github
      event_type: shipline-production-deploy
      client_payload:
        service: "{{ data.serviceAlias }}"
        environment: "{{ data.environment }}"
        deploy_number: "{{ data.deployNumber }}"
        deploy_url: "{{ data.deployUrl | default: '' }}"
        sha: "{% if data.commit %}{{ data.commit.sha | default: '' }}{% endif %}"
        deploy_id: "{{ data.id }}"
    retry: ${retry}
`,
    blanks: [
      connectionBlank('github', 'GitHub', spot('steps', 'dispatch', 'with', 'connection')),
      textBlank(
        'event_type',
        'Dispatch event type',
        'What the workflows list under on: repository_dispatch: types',
        spot('steps', 'dispatch', 'with', 'event_type'),
      ),
    ],
  },
];
