import type { ReactionTemplate } from '../connection-type.js';
import { connectionBlank, spot } from '../template-blanks.js';

/** Ready-made reactions using Datadog; only the connection name needs filling in. */
export const datadogTemplates: ReactionTemplate[] = [
  {
    name: 'datadog-deployment-on-deploy',
    description: 'Send every successful deploy to Datadog as a DORA deployment event',
    yaml: `name: datadog-deployment-on-deploy
description: Record every successful deploy in Datadog DORA metrics
on:
  event: deploy.*   # deploy.recorded, and deploy.updated when a deployment's status moves (Octopus, GitHub)
  filter: { status: succeeded }
steps:
  deployment:
    uses: datadog.markDeployment
    with:
      connection: datadog        # the Datadog connection
      # service, env, version, finishedAt and id come from the deploy; add
      # repositoryUrl: https://github.com/<org>/<repo> to send the commit for change lead time.
    retry: { attempts: 5, backoff: exponential, initial: 5s, max: 5m }
`,
    blanks: [connectionBlank('datadog', 'Datadog', spot('steps', 'deployment', 'with', 'connection'))],
  },
];
