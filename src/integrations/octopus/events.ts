import type { ProviderEvent } from '../connection-type.js';

/**
 * The events an Octopus connection emits. Each example is the `data` Shipline stores for one of
 * the deliveries in fixtures/ (recorded ones, and `*.synthesized.json` ones in the same envelope
 * for the categories no capture was published of), with the names and the machine resolved from
 * Octopus added as the inbox adds them; events.test.ts checks that each still is.
 */

/** The related-id lists every event carries: `ids` by list name, the others empty. */
const lists = (ids: Record<string, string[]> = {}) => ({
  machineIds: [],
  tenantIds: [],
  environmentIds: [],
  projectIds: [],
  releaseIds: [],
  deploymentIds: [],
  taskIds: [],
  channelIds: [],
  ...ids,
});

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
  ...lists({
    environmentIds: ['Environments-246'],
    projectIds: ['Projects-670'],
    releaseIds: ['Releases-6856'],
    deploymentIds: ['Deployments-15970'],
    taskIds: ['ServerTasks-318123'],
    channelIds: ['Channels-690'],
  }),
  projectGroupIds: ['ProjectGroups-302'],
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
      ...lists({
        environmentIds: ['Environments-1'],
        projectIds: ['Projects-81'],
        releaseIds: ['Releases-3601'],
        deploymentIds: ['Deployments-6644'],
      }),
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
      ...lists({
        environmentIds: ['Environments-1621'],
        projectIds: ['Projects-4522'],
        releaseIds: ['Releases-11138'],
        deploymentIds: ['Deployments-12519'],
        taskIds: ['ServerTasks-569388'],
        channelIds: ['Channels-5462'],
      }),
    },
  },
  {
    type: 'octopus.release.created',
    description:
      'A release was created (category ReleaseCreated): releaseId, version, projectId (and projectName), channelId. Heard without naming a category.',
    // fixtures/webhook-payload-release-created.synthesized.json
    example: {
      eventType: 'ReleaseCreated',
      category: 'ReleaseCreated',
      timestamp: '2023-09-20T10:01:59.874Z',
      occurredAt: '2023-09-20T10:01:47.331Z',
      message: 'Release 0.1.179 created for Argo CD Octopub',
      projectId: 'Projects-4522',
      environmentId: null,
      releaseId: 'Releases-11139',
      deploymentId: null,
      serverUri: 'https://octopus.example.com',
      spaceId: 'Spaces-282',
      channelId: 'Channels-5462',
      username: 'jane.doe',
      userId: 'Users-21',
      projectName: 'Argo CD Octopub',
      releaseVersion: '0.1.179',
      ...lists({ projectIds: ['Projects-4522'], releaseIds: ['Releases-11139'], channelIds: ['Channels-5462'] }),
      version: '0.1.179',
    },
  },
  {
    type: 'octopus.machine.added',
    description:
      'A deployment target was added (category MachineAdded): machineId, and machineName, environmentIds and roles as Octopus describes the machine (read after the delivery is stored; null when Octopus cannot be asked).',
    // fixtures/webhook-payload-machine-added.synthesized.json; the machine as GET /machines/Machines-341 describes it.
    example: {
      ...machineEvent('MachineAdded'),
      timestamp: '2023-09-20T08:12:59.874Z',
      occurredAt: '2023-09-20T08:12:41.207Z',
      message: 'Deployment target web-03 was added',
      environmentId: 'Environments-1621',
      username: 'jane.doe',
      userId: 'Users-21',
      ...lists({ machineIds: ['Machines-341'], environmentIds: ['Environments-1621', 'Environments-1622'] }),
      machineId: 'Machines-341',
      machineName: 'web-03',
      roles: ['web-server'],
    },
  },
  {
    type: 'octopus.machine.deleted',
    description:
      'A deployment target was deleted (category MachineDeleted): machineId; machineName from the event message (Octopus can no longer describe the machine), environmentIds those the event relates to, roles null.',
    // fixtures/webhook-payload-machine-deleted.synthesized.json; GET /machines/Machines-298 answers 404.
    example: {
      ...machineEvent('MachineDeleted'),
      timestamp: '2023-09-20T09:03:59.874Z',
      occurredAt: '2023-09-20T09:03:15.552Z',
      message: 'Deployment target web-legacy-01 was deleted',
      environmentId: 'Environments-1621',
      username: 'jane.doe',
      userId: 'Users-21',
      ...lists({ machineIds: ['Machines-298'], environmentIds: ['Environments-1621'] }),
      machineId: 'Machines-298',
      machineName: 'web-legacy-01',
      roles: null,
    },
  },
  {
    type: 'octopus.machine.health_changed',
    description:
      'A deployment target became healthy, unhealthy, unavailable or has warnings (categories MachineHealthy, MachineUnhealthy, MachineUnavailable, MachineHasWarnings; `healthStatus` says which: Healthy, Unhealthy, Unavailable, HasWarnings), with the machine fields of octopus.machine.added.',
    // fixtures/webhook-payload-machine-unhealthy.synthesized.json; the machine as GET /machines/Machines-341 describes it.
    example: {
      ...machineEvent('MachineUnhealthy'),
      timestamp: '2023-09-20T09:30:59.874Z',
      occurredAt: '2023-09-20T09:30:02.018Z',
      message: 'Deployment target web-03 is unhealthy',
      environmentId: null,
      username: 'system',
      userId: 'users-system',
      ...lists({ machineIds: ['Machines-341'], environmentIds: ['Environments-1621', 'Environments-1622'] }),
      machineId: 'Machines-341',
      machineName: 'web-03',
      roles: ['web-server'],
      healthStatus: 'Unhealthy',
    },
  },
  {
    type: 'octopus.deployment_process.changed',
    description:
      "A project's deployment process was edited (category Modified, related to deploymentprocess-Projects-N): projectId (and projectName), deploymentProcessId, and auditUrl, Octopus's own link to its audit screen where the change and its diff are shown (null when the server sends none).",
    // fixtures/webhook-payload-deployment-process-modified.synthesized.json
    example: {
      eventType: 'Modified',
      category: 'Modified',
      timestamp: '2023-09-20T11:20:59.874Z',
      occurredAt: '2023-09-20T11:20:09.904Z',
      message: 'Deployment process of project Argo CD Octopub was modified',
      projectId: 'Projects-4522',
      environmentId: null,
      releaseId: null,
      deploymentId: null,
      serverUri: 'https://octopus.example.com',
      spaceId: 'Spaces-282',
      username: 'jane.doe',
      userId: 'Users-21',
      projectName: 'Argo CD Octopub',
      ...lists({ projectIds: ['Projects-4522'] }),
      deploymentProcessIds: ['deploymentprocess-Projects-4522'],
      deploymentProcessId: 'deploymentprocess-Projects-4522',
      auditUrl:
        'https://octopus.example.com/app#/Spaces-282/configuration/audit?eventCategories=Modified&from=2023-09-20T11%3a20%3a09.%2b00%3a00&to=2023-09-20T11%3a20%3a59.%2b00%3a00',
    },
  },
  {
    type: 'octopus.event',
    description:
      'Any other Octopus event category a reaction names in `on.categories` (TaskCanceled, MachineEnabled, Modified of other documents...): the same fields, those the event has, and every related id by kind as lists.',
    // fixtures/webhook-payload-single-event.docs-3.9-schema.json, with a task cancellation's category and ids.
    example: {
      eventType: 'TaskCanceled',
      category: 'TaskCanceled',
      timestamp: '2017-04-03T03:46:51.793Z',
      occurredAt: '2017-04-03T03:07:16.768Z',
      message: 'Canceled task Deploy Accounting Database release 10.33.210 to Prod',
      projectId: 'Projects-670',
      environmentId: 'Environments-246',
      releaseId: null,
      deploymentId: 'Deployments-15970',
      serverUri: null,
      taskId: 'ServerTasks-318123',
      username: 'jane.doe',
      userId: 'Users-21',
      projectName: 'Accounting Database',
      environmentName: 'Prod',
      ...lists({
        environmentIds: ['Environments-246'],
        projectIds: ['Projects-670'],
        deploymentIds: ['Deployments-15970'],
        taskIds: ['ServerTasks-318123'],
      }),
    },
  },
];

/** What the three machine examples share (fixtures/webhook-payload-machine-*.synthesized.json). */
function machineEvent(category: string) {
  return {
    eventType: category,
    category,
    projectId: null,
    releaseId: null,
    deploymentId: null,
    serverUri: 'https://octopus.example.com',
    spaceId: 'Spaces-282',
  };
}
