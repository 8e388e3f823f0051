import type { ReactionTemplate } from '../connection-type.js';
import { connectionBlank, spot } from '../template-blanks.js';

/** Ready-made reactions using New Relic; only the connection name needs filling in. */
export const newRelicTemplates: ReactionTemplate[] = [
  {
    name: 'newrelic-marker-on-deploy',
    description: 'Mark every successful deploy on the New Relic APM application named like its service',
    yaml: `name: newrelic-marker-on-deploy
description: Mark every successful deploy in New Relic
on:
  event: deploy.*   # deploy.recorded, and deploy.updated when a deployment's status moves (Octopus, GitHub)
  filter: { status: succeeded }
steps:
  marker:
    uses: newrelic.markDeployment
    with:
      connection: newrelic       # the New Relic connection
      # The entity defaults to the APM application named like the deploy's service;
      # add entityGuid: <guid> (or entitySearch: "...") to mark another one.
      # version, commit, deepLink, user, description and timestamp come from the deploy.
    retry: { attempts: 5, backoff: exponential, initial: 5s, max: 5m }
`,
    blanks: [connectionBlank('newrelic', 'New Relic', spot('steps', 'marker', 'with', 'connection'))],
  },
];
