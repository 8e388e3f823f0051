import type { ReactionTemplate } from '../connection-type.js';
import { connectionBlank, spot } from '../template-blanks.js';

/** Ready-made Discord reactions. Fill in the connection name (`discord`). */
export const discordTemplates: ReactionTemplate[] = [
  {
    name: 'discord-on-production-deploy',
    description: 'Post the deploy embed to a Discord channel for every deploy to production: when it succeeds, and once when it fails',
    yaml: `name: discord-on-production-deploy
description: Post the deploy embed to Discord for every production deploy, succeeded or failed
on:
  event: deploy.*   # a deploy succeeding (deploy.recorded, deploy.updated), and every failure once (deploy.failed)
  filter: { environment: [production, Production, prod] }
  if: event.type == "deploy.failed" || data.status == "succeeded"
steps:
  notify:
    uses: discord.postMessage
    with:
      connection: discord
      layout: deploy
    retry: { attempts: 5, backoff: exponential, initial: 2s, max: 1m }
`,
    blanks: [connectionBlank('discord', 'Discord', spot('steps', 'notify', 'with', 'connection'))],
  },
  {
    name: 'discord-on-failed-deploy',
    description: 'Tell a Discord channel, with the deploy embed and the reason, when a deploy to any environment fails',
    yaml: `name: discord-on-failed-deploy
description: Tell Discord when a deploy fails
on:
  event: deploy.failed   # every failure once: reported by a pipeline, Octopus or GitHub, or marked by someone
steps:
  notify:
    uses: discord.postMessage
    with:
      connection: discord
      layout: deploy
      text: "{{ data.failure.reason | default: 'No reason was given.' }}"
    retry: { attempts: 5, backoff: exponential, initial: 2s, max: 1m }
`,
    blanks: [connectionBlank('discord', 'Discord', spot('steps', 'notify', 'with', 'connection'))],
  },
];
