import type { ReactionTemplate } from '../connection-type.js';
import { connectionBlank, resourceBlank, spot, textBlank } from '../template-blanks.js';

/** Ready-made Octopus reactions for `shipline reactions init`. */
export const OCTOPUS_TEMPLATES: ReactionTemplate[] = [
  {
    name: 'octopus-staging-to-production',
    description: 'When a Staging deployment succeeds in Octopus, deploy the same release to Production and wait for it',
    yaml: `name: octopus-staging-to-production
description: Promote every release that deployed to Staging successfully
on:
  event: octopus.deployment.succeeded
  connection: prod                # your Octopus connection
  environment: Staging
steps:
  promote:
    uses: octopus.deployRelease
    with:
      connection: prod
      project: "{{ data.projectId }}"
      release: "{{ data.releaseId }}"
      environment: Production
      timeout: 1h
      pollInterval: 1m
`,
    blanks: [
      connectionBlank('octopus', 'Octopus Deploy', spot('on', 'connection'), spot('steps', 'promote', 'with', 'connection')),
      resourceBlank('from', 'environments', 'Environment that succeeded', spot('on', 'environment')),
      resourceBlank('to', 'environments', 'Environment to promote to', spot('steps', 'promote', 'with', 'environment')),
    ],
  },
  {
    name: 'octopus-release-on-webhook',
    description: 'When an external webhook says a package is ready, create an Octopus release for it',
    yaml: `name: octopus-release-on-webhook
description: Create a release when the package feed announces a new version
on:
  event: webhook.package-feed      # create it with: shipline webhooks create package-feed --auth hmac_sha256
steps:
  release:
    uses: octopus.createRelease
    with:
      connection: prod
      project: Web
      releaseNotes: "Package {{ data.body.version }}"
`,
    blanks: [
      textBlank('event', 'Webhook event', 'webhook.<name> of a webhook made under Settings', spot('on', 'event')),
      connectionBlank('octopus', 'Octopus Deploy', spot('steps', 'release', 'with', 'connection')),
      resourceBlank('project', 'projects', 'Octopus project', spot('steps', 'release', 'with', 'project')),
    ],
  },
];
