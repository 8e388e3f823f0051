import type { ReactionTemplate } from '../connection-type.js';
import { connectionBlank, spot, spotIn } from '../template-blanks.js';

/**
 * Ready-made PagerDuty reactions. A reaction listens to one event type, and a failed deploy
 * arrives as either `deploy.recorded` (deploys posted to Shipline, GitHub deployments) or
 * `octopus.deployment.failed` (an Octopus deploy is recorded when queued, then only its status
 * moves), so the alert and resolve templates hold two reactions each, as two YAML documents.
 * Octopus deploys are left to the second one (`data.source != "octopus"`) so one failure pages once.
 * Both send no dedup_key: the action's default, `shipline/<service>/<environment>`, is what lets
 * the next successful deploy resolve the alert.
 */

const retry = '{ attempts: 5, backoff: exponential, initial: 30s, max: 10m }';
/** Where each of the two reactions of a template names its connection. */
const PAGE = ['steps', 'page', 'with', 'connection'];
const RESOLVE = ['steps', 'resolve', 'with', 'connection'];

export const pagerdutyTemplates: ReactionTemplate[] = [
  {
    name: 'pagerduty-on-deploy-failure',
    description: 'Trigger a PagerDuty alert when a deploy fails (deploy.recorded with status failed, and Octopus DeploymentFailed)',
    yaml: `name: pagerduty-on-deploy-failure
description: Page on-call when a deploy fails (deploys posted to Shipline, GitHub deployments)
on:
  event: deploy.recorded
  filter: { status: failed }
  if: data.source != "octopus"
steps:
  page:
    uses: pagerduty.event
    with: { connection: pagerduty, action: trigger, severity: error }
    retry: ${retry}
---
name: pagerduty-on-octopus-deploy-failure
description: Page on-call when an Octopus deployment fails
on:
  event: octopus.deployment.*
  categories: [DeploymentFailed]
steps:
  page:
    uses: pagerduty.event
    with: { connection: pagerduty, action: trigger, severity: error }
    retry: ${retry}
`,
    blanks: [connectionBlank('pagerduty', 'PagerDuty', spotIn(0, ...PAGE), spotIn(1, ...PAGE))],
  },
  {
    name: 'pagerduty-resolve-on-success',
    description: 'Resolve the PagerDuty alert a failed deploy opened when the same service deploys successfully to the same environment',
    yaml: `name: pagerduty-resolve-on-success
description: Resolve the deploy-failure alert when the next deploy of the service to that environment succeeds
on:
  event: deploy.recorded
  filter: { status: succeeded }
  if: data.source != "octopus"
steps:
  resolve:
    uses: pagerduty.event
    with: { connection: pagerduty, action: resolve }
    retry: ${retry}
---
name: pagerduty-resolve-on-octopus-success
description: Resolve the deploy-failure alert when the next Octopus deployment of the project to that environment succeeds
on:
  event: octopus.deployment.*
  categories: [DeploymentSucceeded]
steps:
  resolve:
    uses: pagerduty.event
    with: { connection: pagerduty, action: resolve }
    retry: ${retry}
`,
    blanks: [connectionBlank('pagerduty', 'PagerDuty', spotIn(0, ...RESOLVE), spotIn(1, ...RESOLVE))],
  },
  {
    name: 'pagerduty-change-on-deploy',
    description: 'Send every successful deploy to PagerDuty as a change event, so responders see what just shipped',
    yaml: `name: pagerduty-change-on-deploy
description: Show each successful deploy as a PagerDuty change event
on:
  event: deploy.recorded
  filter: { status: succeeded }
steps:
  change:
    uses: pagerduty.changeEvent
    with: { connection: pagerduty }
    retry: ${retry}
`,
    blanks: [connectionBlank('pagerduty', 'PagerDuty', spot('steps', 'change', 'with', 'connection'))],
  },
];
