import type { ProviderEvent } from '../connection-type.js';

/**
 * The events an Octopus connection emits. Each example is the `data` Shipline stores for one of
 * the recorded deliveries in fixtures/ (the names resolved from Octopus added as the inbox adds
 * them); events.test.ts checks that the deployment ones still are.
 */

/** fixtures/webhook-payload-deployment-started.2019.octopus-blog.json */
const started = {
  eventType: 'DeploymentStarted',
  category: 'DeploymentStarted',
  timestamp: '2019-04-26T18:37:44.158Z',
  occurredAt: '2019-04-26T18:37:34.361Z',
  message: 'Deploy to Prod (#3) started  for Accounting Database release 10.33.210 to Prod',
  projectId: 'Projects-670',
  environmentId: 'Environments-246',
  releaseId: 'Releases-6856',
  deploymentId: 'Deployments-15970',
  serverUri: 'https://myoctopusurl',
  taskId: 'ServerTasks-318123',
  spaceId: 'Spaces-83',
  channelId: 'Channels-690',
  username: 'system',
  userId: 'users-system',
  projectName: 'Accounting Database',
  environmentName: 'Prod',
  releaseVersion: '10.33.210',
};

export const OCTOPUS_EVENTS: ProviderEvent[] = [
  {
    type: 'octopus.deployment.queued',
    description: 'A deployment was queued (category DeploymentQueued). Heard only when `on.categories` names DeploymentQueued.',
    // No queued delivery was recorded: the started one, as Octopus sends it a moment earlier.
    example: {
      ...started,
      eventType: 'DeploymentQueued',
      category: 'DeploymentQueued',
      message: started.message.replace('started', 'queued'),
    },
  },
  {
    type: 'octopus.deployment.started',
    description: 'A deployment started (category DeploymentStarted). Heard only when `on.categories` names DeploymentStarted.',
    example: started,
  },
  {
    type: 'octopus.deployment.succeeded',
    description: 'A deployment succeeded (category DeploymentSucceeded); resumes Deploy Release steps waiting on it.',
    // fixtures/webhook-payload-deployment-succeeded.2016.azure-function-comment.json
    example: {
      eventType: 'DeploymentSucceeded',
      category: 'DeploymentSucceeded',
      timestamp: '2016-11-10T22:30:36.284Z',
      occurredAt: '2016-11-10T22:29:29.788Z',
      message: 'Deploy to Production succeeded  for NATCH Sandbox release 1.0.7834.7 to Production',
      projectId: 'Projects-81',
      environmentId: 'Environments-1',
      releaseId: 'Releases-3601',
      deploymentId: 'Deployments-6644',
      serverUri: 'http://tempuri.org/',
      username: 'system',
      userId: 'users-system',
      projectName: 'NATCH Sandbox',
      environmentName: 'Production',
      releaseVersion: '1.0.7834.7',
    },
  },
  {
    type: 'octopus.deployment.failed',
    description: 'A deployment failed (category DeploymentFailed); resumes Deploy Release steps waiting on it.',
    // fixtures/webhook-payload-deployment-failed.OctopusSubscriptionListener.json
    example: {
      eventType: 'DeploymentFailed',
      category: 'DeploymentFailed',
      timestamp: '2023-09-19T21:35:25.215Z',
      occurredAt: '2023-09-19T21:35:08.563Z',
      message: 'Deploy to Development failed for Argo CD Octopub release 0.1.178 to Development',
      projectId: 'Projects-4522',
      environmentId: 'Environments-1621',
      releaseId: 'Releases-11138',
      deploymentId: 'Deployments-12519',
      serverUri: 'https://mattc.octopus.app',
      taskId: 'ServerTasks-569388',
      spaceId: 'Spaces-282',
      channelId: 'Channels-5462',
      username: 'system',
      userId: 'users-system',
      projectName: 'Argo CD Octopub',
      environmentName: 'Development',
      releaseVersion: '0.1.178',
    },
  },
  {
    type: 'octopus.event',
    description:
      'Any other Octopus event category a reaction names in `on.categories` (ReleaseCreated, MachineAdded, ...): the same fields, those the event has.',
    // fixtures/webhook-payload-single-event.docs-3.9-schema.json, with a release's category and ids.
    example: {
      eventType: 'ReleaseCreated',
      category: 'ReleaseCreated',
      timestamp: '2017-04-03T03:46:51.793Z',
      occurredAt: '2017-04-03T03:07:16.768Z',
      message: 'Release 10.33.210 created for Accounting Database',
      projectId: 'Projects-670',
      environmentId: null,
      releaseId: 'Releases-6856',
      deploymentId: null,
      serverUri: 'https://myoctopusurl',
      spaceId: 'Spaces-83',
      username: 'system',
      userId: 'users-system',
      projectName: 'Accounting Database',
      releaseVersion: '10.33.210',
    },
  },
];
