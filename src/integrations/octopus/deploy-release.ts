import { Type } from 'typebox';
import type { Action, ActionContext, Outcome, StepResult, Wait } from '../../engine/action.js';
import { defineAction } from '../../engine/define-action.js';
import { NonRetriableError, RetryAfterError } from '../../engine/action.js';
import { Duration, requireDuration } from '../../core/duration.js';
import type { OctopusClient, OctopusCollection, OctopusDeployment, OctopusTask } from './client.js';
import { spacePath } from './client.js';
import type { OctopusConnections, OpenConnection } from './connection.js';
import type { DeploymentSeen } from './index-types.js';
import { deploymentKey, taskKey } from './payload.js';

const Config = Type.Object(
  {
    connection: Type.String({ title: 'Connection', description: 'The Octopus connection (name)' }),
    project: Type.String({ title: 'Project', description: 'Project name, slug or id' }),
    release: Type.String({
      title: 'Release',
      placeholder: 'latest',
      description: 'A release version, a release id (Releases-N), or "latest"',
    }),
    environment: Type.String({ title: 'Environment', description: 'Environment name or id' }),
    tenant: Type.Optional(Type.String({ title: 'Tenant', description: 'Tenant name or id, for tenanted deployments' })),
    machines: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        title: 'Machines',
        description:
          'Deploy only to these deployment targets (names or ids, each may be a template such as "{{ data.machineId }}"); Octopus SpecificMachineIds. Default: every target of the environment',
      }),
    ),
    excludeMachines: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        title: 'Exclude machines',
        description: 'Skip these deployment targets (names or ids); Octopus ExcludedMachineIds',
      }),
    ),
    comments: Type.Optional(Type.String({ title: 'Comments', description: 'Deployment comments shown in Octopus' })),
    formValues: Type.Optional(
      Type.Record(Type.String(), Type.String(), { title: 'Prompted variables', description: 'Prompted variable values by control name' }),
    ),
    timeout: Type.Optional(
      Duration('How long to wait for the deployment to finish; default 1h', { title: 'Deployment timeout', placeholder: '1h' }),
    ),
    pollInterval: Type.Optional(
      Duration(
        'How often to check the task if no webhook arrives (it is also checked once as soon as the step starts waiting); default 5m, at least 5s',
        {
          title: 'Poll interval',
          placeholder: '5m',
        },
      ),
    ),
    cancelOnTimeout: Type.Optional(
      Type.Boolean({ title: 'Cancel on timeout', description: 'Cancel the Octopus task when the timeout passes (default false)' }),
    ),
  },
  { additionalProperties: false },
);

/** What the waiting step keeps. */
interface WaitState {
  connectionId: string;
  spaceId: string;
  serverUrl: string;
  deploymentId: string;
  taskId: string;
  projectId: string;
  releaseId: string;
  environmentId: string;
  created: string;
  cancelOnTimeout: boolean;
  correlate: string[];
  pollEveryMs: number;
  deadline: string;
}

export const DEFAULT_TIMEOUT_MS = 60 * 60_000;
export const DEFAULT_POLL_MS = 5 * 60_000;
export const MIN_POLL_MS = 5_000;
const FINISHED_STATES = new Set(['Success', 'Failed', 'Canceled', 'TimedOut']);

/** The marker that lets a retry find the deployment an earlier attempt created. */
export const marker = (idempotencyKey: string) => `[shipline:${idempotencyKey}]`;

function duration(value: string | number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  try {
    return requireDuration(value);
  } catch (err) {
    throw new NonRetriableError(`${name}: ${(err as Error).message}`);
  }
}

export interface DeployReleaseDeps {
  connections: OctopusConnections;
  /** Records the deployment in the deploy catalog (created, then finished). */
  seen(ctx: ActionContext, open: OpenConnection, deployment: DeploymentSeen): Promise<void>;
}

/**
 * Deploys a release to an environment and waits for the task to finish: resumed by the
 * subscription's DeploymentSucceeded/Failed (then the task is read again, since Canceled and
 * TimedOut arrive as DeploymentFailed), polled once its wait is stored and then every
 * `pollInterval` in case no webhook comes, and routed to `failed` with reason `timeout` when `timeout` passes.
 */
export function deployReleaseAction(deps: DeployReleaseDeps): Action {
  const openFor = async (ctx: ActionContext, nameOrId: string) => {
    await ctx.connection(nameOrId); // redacts the key from this step's records
    return deps.connections.get(nameOrId);
  };

  const finish = async (ctx: ActionContext, open: OpenConnection, state: WaitState, task: OctopusTask): Promise<Outcome> => {
    const outcome = finishedOutcome(state, task);
    ctx.log(`task ${task.Id} finished: ${task.State}${task.ErrorMessage ? ` (${task.ErrorMessage})` : ''}`);
    await deps.seen(ctx, open, { ...seenOf(state), status: task.State === 'Success' ? 'succeeded' : 'failed' });
    return outcome;
  };

  const check = async (ctx: ActionContext, state: WaitState): Promise<Outcome | undefined> => {
    const open = await openFor(ctx, state.connectionId);
    const task = await open.client.withSignal(ctx.signal).task(state.taskId);
    if (!FINISHED_STATES.has(task.State)) return undefined;
    return finish(ctx, open, state, task);
  };

  return defineAction({
    name: 'octopus.deployRelease',
    description: 'Deploys an Octopus release to an environment and waits for it to finish (webhook first, polling as a fallback).',
    channels: ['success', 'failed'],
    config: Config,
    exampleOutput: {
      type: 'octopus.deployment.finished',
      timestamp: '2026-02-05T16:05:00.000+00:00',
      data: {
        completedTime: '2026-02-05T16:05:00.000+00:00',
        created: '2026-02-05T16:00:00.000+00:00',
        deploymentId: 'Deployments-1011',
        duration: '5 minutes',
        environmentId: 'Environments-456',
        projectId: 'Projects-123',
        releaseId: 'Releases-789',
        taskState: 'Success',
        taskId: 'ServerTasks-2001',
        webUrl: 'https://my-company.octopus.app/app#/Spaces-1/deployments/Deployments-1011',
      },
    },

    async run(ctx, config): Promise<StepResult> {
      const timeoutMs = duration(config.timeout, DEFAULT_TIMEOUT_MS, 'timeout');
      const pollEveryMs = Math.max(MIN_POLL_MS, duration(config.pollInterval, DEFAULT_POLL_MS, 'pollInterval'));
      const open = await openFor(ctx, config.connection);
      const { resolver } = open;
      const client = open.client.withSignal(ctx.signal);
      const project = await resolver.project(config.project);
      const [release, environment, tenant, specificMachineIds, excludedMachineIds] = await Promise.all([
        resolver.release(project.Id, config.release),
        resolver.environment(config.environment),
        config.tenant ? resolver.tenant(config.tenant) : undefined,
        resolver.machineIds(machineList(config.machines, 'machines'), 'machines'),
        resolver.machineIds(machineList(config.excludeMachines, 'excludeMachines'), 'excludeMachines'),
      ]);
      const tag = marker(ctx.idempotencyKey);
      let deployment = await earlierDeployment(ctx, client, resolver.spaceId, release.Id, environment.Id, tag);
      if (deployment) ctx.log(`found ${deployment.Id}, created by an earlier attempt of this step`);
      else {
        deployment = await client.post<OctopusDeployment>(spacePath(resolver.spaceId, '/deployments'), {
          ReleaseId: release.Id,
          EnvironmentId: environment.Id,
          ...(tenant ? { TenantId: tenant.Id } : {}),
          ...(specificMachineIds.length > 0 ? { SpecificMachineIds: specificMachineIds } : {}),
          ...(excludedMachineIds.length > 0 ? { ExcludedMachineIds: excludedMachineIds } : {}),
          Comments: config.comments ? `${config.comments}\n${tag}` : tag,
          ...(config.formValues ? { FormValues: config.formValues } : {}),
        });
        const on = specificMachineIds.length > 0 ? ` on ${specificMachineIds.join(', ')}` : '';
        const without = excludedMachineIds.length > 0 ? ` without ${excludedMachineIds.join(', ')}` : '';
        ctx.log(
          `created ${deployment.Id} (task ${deployment.TaskId}): ${project.Name} ${release.Version} to ${environment.Name}${on}${without}`,
        );
      }
      const correlate = [deploymentKey(open.connection.id, deployment.Id), taskKey(open.connection.id, deployment.TaskId)];
      const state: WaitState = {
        connectionId: open.connection.id,
        spaceId: resolver.spaceId,
        serverUrl: open.client.serverUrl,
        deploymentId: deployment.Id,
        taskId: deployment.TaskId,
        projectId: project.Id,
        releaseId: release.Id,
        environmentId: environment.Id,
        created: deployment.Created,
        cancelOnTimeout: config.cancelOnTimeout ?? false,
        correlate,
        pollEveryMs,
        deadline: new Date(ctx.now().getTime() + timeoutMs).toISOString(),
      };
      await deps.seen(ctx, open, {
        ...seenOf(state),
        status: 'queued',
        projectName: project.Name,
        projectSlug: project.Slug ?? null,
        environmentName: environment.Name,
        releaseVersion: release.Version,
      });
      return waitOn(state);
    },

    async resume(ctx, _config, raw, cause) {
      const state = raw as WaitState;
      if (cause.kind === 'timeout') {
        const open = await openFor(ctx, state.connectionId);
        let taskState: string | null = null;
        try {
          if (state.cancelOnTimeout) {
            ctx.log(`timeout: cancelling task ${state.taskId}`);
            taskState = (await open.client.withSignal(ctx.signal).cancelTask(state.taskId)).State;
          } else taskState = (await open.client.withSignal(ctx.signal).task(state.taskId)).State;
        } catch (err) {
          ctx.log(`timeout: could not ${state.cancelOnTimeout ? 'cancel' : 'read'} task ${state.taskId}: ${(err as Error).message}`);
        }
        return {
          channel: 'failed',
          output: { reason: 'timeout', deploymentId: state.deploymentId, taskId: state.taskId, taskState, webUrl: webUrl(state) },
        };
      }
      // Webhooks can arrive before the task is marked finished; then keep waiting.
      return (await check(ctx, state)) ?? waitOn(state);
    },

    async poll(ctx, _config, raw) {
      return (await check(ctx, raw as WaitState)) ?? 'pending';
    },

    async cancel(ctx, raw) {
      const state = raw as WaitState;
      const open = await openFor(ctx, state.connectionId);
      await open.client.withSignal(ctx.signal).cancelTask(state.taskId);
      ctx.log(`run cancelled: cancelled task ${state.taskId}`);
    },
  });
}

/**
 * The deployment an earlier attempt of this step created (a crash between Octopus's 201 and our
 * commit leaves one behind), found by the marker in its comments. On a first attempt there is
 * none to find, so a lookup that fails there is no reason to fail the step: it deploys. On a
 * later attempt the lookup must answer before anything is created, so its failure is an error
 * the engine retries (never a NonRetriableError: a 4xx here says nothing about the deployment).
 */
async function earlierDeployment(
  ctx: ActionContext,
  client: OctopusClient,
  spaceId: string,
  releaseId: string,
  environmentId: string,
  tag: string,
): Promise<OctopusDeployment | undefined> {
  try {
    const earlier = await client.get<OctopusCollection<OctopusDeployment>>(
      spacePath(spaceId, `/releases/${encodeURIComponent(releaseId)}/deployments?skip=0&take=100`),
    );
    return earlier.Items.find((d) => d.EnvironmentId === environmentId && (d.Comments ?? '').includes(tag));
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    const message = `could not look for a deployment made by an earlier attempt: ${(err as Error).message}`;
    if (ctx.attempt > 1) throw err instanceof RetryAfterError ? err : new Error(message, { cause: err });
    ctx.log(`${message}; this is the first attempt, so there is none`);
    return undefined;
  }
}

/**
 * A machines list as rendered: each item trimmed. An item a template rendered empty (an event
 * without a machine) would silently widen the deployment to every target, so it is refused.
 */
function machineList(values: string[] | undefined, field: string): string[] {
  const items = (values ?? []).map((v) => v.trim());
  if (items.some((v) => v === '')) throw new NonRetriableError(`${field}: an item is empty (did a template render nothing?)`);
  return [...new Set(items)];
}

/**
 * Waits for the deployment's webhook, polling as a fallback. The first poll runs as soon as the
 * wait is stored: a deployment can end (and its webhook arrive) before then, and that webhook
 * found no waiter to resume.
 */
function waitOn(state: WaitState): Wait {
  return { wait: true, correlate: state.correlate, pollEveryMs: state.pollEveryMs, pollWhenStored: true, deadline: state.deadline, state };
}

function webUrl(state: WaitState): string {
  return `${state.serverUrl}/app#/${state.spaceId}/deployments/${state.deploymentId}`;
}

function seenOf(state: WaitState): Omit<DeploymentSeen, 'status'> {
  return {
    deploymentId: state.deploymentId,
    projectId: state.projectId,
    releaseId: state.releaseId,
    environmentId: state.environmentId,
    created: state.created,
    webUrl: webUrl(state),
  };
}

/** The `octopus.deployment.finished` output; `success` only for State Success. */
export function finishedOutcome(state: WaitState, task: OctopusTask): Outcome {
  const data: Record<string, unknown> = {
    completedTime: task.CompletedTime ?? null,
    created: state.created,
    deploymentId: state.deploymentId,
    duration: task.Duration ?? null,
    environmentId: state.environmentId,
    projectId: state.projectId,
    releaseId: state.releaseId,
    taskState: task.State,
    taskId: state.taskId,
    webUrl: webUrl(state),
  };
  if (task.ErrorMessage) data.errorMessage = task.ErrorMessage;
  return {
    channel: task.State === 'Success' ? 'success' : 'failed',
    output: { type: 'octopus.deployment.finished', timestamp: task.CompletedTime ?? new Date().toISOString(), data },
  };
}
