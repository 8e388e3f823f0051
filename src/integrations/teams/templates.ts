import type { ReactionTemplate } from '../connection-type.js';
import { connectionBlank, spot } from '../template-blanks.js';

/** Ready-made Teams reactions. Fill in the connection name (`teams`). */
export const teamsTemplates: ReactionTemplate[] = [
  {
    name: 'teams-on-deploy',
    description: 'Post the deploy card to a Teams channel when a deploy succeeds or fails',
    yaml: `name: teams-on-deploy
description: Post the deploy card to Teams when a deploy succeeds or fails
on:
  event: deploy.*   # a deploy succeeding (deploy.recorded, deploy.updated), and every failure once (deploy.failed)
  if: event.type == "deploy.failed" || data.status == "succeeded"
steps:
  notify:
    uses: teams.postMessage
    with:
      connection: teams
      layout: deploy
    retry: { attempts: 5, backoff: exponential, initial: 2s, max: 1m }
`,
    blanks: [connectionBlank('teams', 'Microsoft Teams', spot('steps', 'notify', 'with', 'connection'))],
  },
];
