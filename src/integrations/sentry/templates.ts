import type { ReactionTemplate } from '../connection-type.js';
import { connectionBlank, spot } from '../template-blanks.js';

/** Ready-made reactions using Sentry; only the connection name needs filling in (its `project` names the project). */
export const sentryTemplates: ReactionTemplate[] = [
  {
    name: 'sentry-deploy-on-deploy',
    description: 'Record every successful deploy as a deploy of the matching Sentry release',
    yaml: `name: sentry-deploy-on-deploy
description: Tell Sentry about every successful deploy
on:
  event: deploy.*   # deploy.recorded, and deploy.updated when a deployment's status moves (Octopus, GitHub)
  filter: { status: succeeded }
steps:
  deploy:
    uses: sentry.createDeploy
    with:
      connection: sentry         # the Sentry connection; its \`project\` owns the release
      # version (the deploy number), environment, url and dateFinished come from the deploy;
      # set version: "my-app@{{ data.deployNumber }}" if your SDK reports releases that way.
    retry: { attempts: 5, backoff: exponential, initial: 5s, max: 5m }
`,
    blanks: [connectionBlank('sentry', 'Sentry', spot('steps', 'deploy', 'with', 'connection'))],
  },
];
