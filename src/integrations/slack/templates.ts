import type { ReactionTemplate } from '../connection-type.js';
import { connectionBlank, spot, textBlank } from '../template-blanks.js';

/**
 * Ready-made Slack reactions. Fill in the connection name (`slack`) and the channel.
 *
 * Deploy progress is one reaction, not a "started" and a "finished" pair: the message key is
 * kept per reaction, so only runs of the same reaction find the message an earlier run posted.
 * The concurrency key keeps a deployment's events in order, so "started" posts before
 * "succeeded" updates.
 */
export const slackTemplates: ReactionTemplate[] = [
  {
    name: 'slack-on-production-failure',
    description: 'Tell #deploys, with the deploy layout, when an Octopus deployment to Production fails',
    yaml: `name: slack-on-production-failure
description: Tell #deploys when an Octopus deployment to Production fails
on:
  event: octopus.deployment.*
  categories: [DeploymentFailed]
  environment: Production
steps:
  notify:
    uses: slack.postMessage
    with:
      connection: slack
      channel: "#deploys"
      layout: deploy
    retry: { attempts: 5, backoff: exponential, initial: 2s, max: 1m }
`,
    blanks: [
      connectionBlank('slack', 'Slack', spot('steps', 'notify', 'with', 'connection')),
      textBlank('channel', 'Slack channel', 'A #channel or channel id the app may post to', spot('steps', 'notify', 'with', 'channel')),
      textBlank('environment', 'Octopus environment', 'The environment whose failed deployments are told', spot('on', 'environment')),
    ],
  },
  {
    name: 'slack-deploy-progress',
    description:
      'One Slack message per Octopus deployment: posted ("Deploying…") when it starts, then updated in place when it succeeds or fails',
    yaml: `name: slack-deploy-progress
description: One message per Octopus deployment, posted when it starts and updated when it succeeds or fails
on:
  event: octopus.deployment.*
  categories: [DeploymentStarted, DeploymentSucceeded, DeploymentFailed]
concurrency:
  key: "{{ data.deploymentId }}"
  limit: 1
steps:
  message:
    uses: slack.updateMessage
    with:
      connection: slack
      channel: "#deploys"
      key: "{{ data.deploymentId }}"
      layout: deploy
    retry: { attempts: 5, backoff: exponential, initial: 2s, max: 1m }
`,
    blanks: [
      connectionBlank('slack', 'Slack', spot('steps', 'message', 'with', 'connection')),
      textBlank('channel', 'Slack channel', 'A #channel or channel id the app may post to', spot('steps', 'message', 'with', 'channel')),
    ],
  },
];
