import { completedText, humanDuration, octopusTime, octopusTimeOrNull } from './time.js';
import type { SimDeployment, SimEvent, SimTask } from './types.js';

/**
 * The wire shapes of what happens on the server: deployments, their server tasks and audit
 * events, key for key as the captures in reference/octopus-examples show them.
 */

export function deploymentResource(d: SimDeployment): Record<string, unknown> {
  const space = `/api/${d.spaceId}`;
  return {
    Id: d.id,
    SpaceId: d.spaceId,
    ReleaseId: d.releaseId,
    ChannelId: d.channelId,
    DeploymentProcessId: `deploymentprocess-${d.projectId}-s-1`,
    Changes: [],
    ChangesMarkdown: null,
    EnvironmentId: d.environmentId,
    TenantId: d.tenantId,
    ForcePackageDownload: false,
    ForcePackageRedeployment: false,
    Priority: 'LifecycleDefault',
    SkipActions: [],
    SpecificMachineIds: d.specificMachineIds,
    ExcludedMachineIds: d.excludedMachineIds,
    ManifestVariableSetId: null,
    TaskId: d.taskId,
    ProjectId: d.projectId,
    UseGuidedFailure: false,
    Comments: d.comments,
    FormValues: d.formValues,
    QueueTime: null,
    QueueTimeExpiry: null,
    Name: d.name,
    Created: octopusTime(d.created),
    TentacleRetentionPeriod: null,
    ChangeRequestSettings: null,
    DeployedBy: d.deployedBy,
    DeployedById: d.deployedById,
    FailureEncountered: false,
    DeployedToMachineIds: [],
    ExecutionPlanLogContext: { Steps: [] },
    Links: {
      Self: `${space}/deployments/${d.id}`,
      Release: `${space}/releases/${d.releaseId}`,
      Environment: `${space}/environments/${d.environmentId}`,
      Project: `${space}/projects/${d.projectId}`,
      Task: `/api/tasks/${d.taskId}`,
      Web: `/app#/${d.spaceId}/deployments/${d.id}`,
      Artifacts: `${space}/artifacts?regarding=${d.id}`,
      Interruptions: `${space}/interruptions?regarding=${d.id}`,
      DeploymentProcess: `${space}/deploymentprocesses/deploymentprocess-${d.projectId}-s-1`,
    },
  };
}

/** True once the task can no longer change: neither waiting, running nor being cancelled. */
export function isCompleted(task: SimTask): boolean {
  return task.state !== 'Queued' && task.state !== 'Executing' && task.state !== 'Cancelling';
}

export function taskResource(task: SimTask, now: number): Record<string, unknown> {
  const completed = isCompleted(task);
  const durationMs = task.startTime === null ? 0 : (task.completedTime ?? now) - task.startTime;
  return {
    Id: task.id,
    SpaceId: task.spaceId,
    EstimatedRemainingQueueDurationSeconds: 0,
    Name: 'Deploy',
    Description: task.description,
    Arguments: { DeploymentId: task.deploymentId },
    State: task.state,
    Completed: task.completedTime === null ? null : completedText(task.completedTime),
    QueueTime: octopusTime(task.queueTime),
    QueueTimeExpiry: null,
    StartTime: octopusTimeOrNull(task.startTime),
    LastUpdatedTime: octopusTime(task.lastUpdated),
    CompletedTime: octopusTimeOrNull(task.completedTime),
    ServerNode: task.startTime === null ? null : 'OCTOPUS-SIM',
    Duration: humanDuration(durationMs),
    ErrorMessage: task.errorMessage ?? '',
    HasBeenPickedUpByProcessor: task.startTime !== null,
    IsCompleted: completed,
    FinishedSuccessfully: task.state === 'Success',
    HasPendingInterruptions: false,
    CanRerun: completed,
    HasWarningsOrErrors: task.hasWarningsOrErrors,
    UnmetPreconditions: null,
    ProjectId: task.projectId,
    Links: {
      Self: `/api/tasks/${task.id}`,
      Web: `/app#/${task.spaceId}/tasks/${task.id}`,
      Raw: `/api/tasks/${task.id}/raw`,
      Rerun: `/api/tasks/rerun/${task.id}`,
      Cancel: `/api/tasks/${task.id}/cancel`,
      State: `/api/tasks/${task.id}/state`,
      Details: `/api/tasks/${task.id}/details{?verbose,tail,ranges}`,
      Artifacts: `/api/${task.spaceId}/artifacts?regarding=${task.id}`,
      Interruptions: `/api/${task.spaceId}/interruptions?regarding=${task.id}`,
    },
  };
}

/** An event in the key order of the 2023 captures (events list and webhook payload alike). */
export function eventResource(e: SimEvent): Record<string, unknown> {
  return {
    Id: e.id,
    RelatedDocumentIds: e.relatedDocumentIds,
    Category: e.category,
    UserId: e.actor.userId,
    Username: e.actor.username,
    IsService: e.actor.isService,
    IdentityEstablishedWith: e.actor.identityEstablishedWith,
    UserAgent: e.actor.userAgent,
    Occurred: octopusTime(e.occurred),
    Message: e.message,
    MessageHtml: e.messageHtml,
    MessageReferences: e.messageReferences,
    Comments: e.comments,
    Details: e.details,
    ChangeDetails: { DocumentContext: null, Differences: null },
    IpAddress: e.actor.ipAddress,
    SpaceId: e.spaceId,
    Links: { Self: `/api/events/${e.id}` },
  };
}
