import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NonRetriableError } from '../src/engine/action.js';
import { createTestContext } from '../src/integrations/action-context.test-support.js';
import { DIALECTS } from './support/databases.js';
import type { OctopusTestBed } from './support/octopus.js';
import { octopusTestBed, simDeploy } from './support/octopus.js';
import type { RunBody } from './support/runtime.js';
import { eventually } from './support/sink.js';

interface Finished {
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}

describe.each(DIALECTS)('Deploy Release and Create Release on %s', (dialect) => {
  let bed: OctopusTestBed;
  let n = 0;

  beforeAll(async () => {
    bed = await octopusTestBed(dialect);
    await bed.connect('prod');
    await bed.subscriptionWith(['DeploymentFailed', 'DeploymentQueued', 'DeploymentStarted', 'DeploymentSucceeded']);
  });
  afterAll(async () => {
    await bed.close();
  });

  /** Applies a one-step Deploy Release reaction, starts it with a deploy, and returns the finished run. */
  async function deployRun(withConfig: Record<string, unknown>, statuses = ['succeeded', 'failed']): Promise<RunBody> {
    const name = `deploy-${++n}`;
    await bed.t.applyReaction({
      name,
      on: { event: 'deploy.recorded', filter: { serviceAlias: name } },
      steps: {
        deploy: {
          uses: 'octopus.deployRelease',
          with: { connection: 'prod', project: 'Web', release: '1.0.1', environment: 'Production', ...withConfig },
        },
      },
    });
    await bed.t.ingest({ service: name, dedup_id: name });
    return bed.t.runReaching({ reaction: name }, statuses, 20_000);
  }
  const deploymentPosts = () => bed.sim.requests('POST').filter((r) => /\/deployments$/.test(r.path));
  const taskReads = () => bed.sim.requests('GET').filter((r) => /^\/api\/tasks\/ServerTasks-/.test(r.path));

  /**
   * Starts a Deploy Release whose task stays Executing, waits for the read made once its wait is
   * stored, then finishes the task in Octopus (which delivers the webhook): the run that ends
   * then was resumed by the webhook, with polls an hour apart.
   */
  async function deployRunFinishedByWebhook(finish: (taskId: string) => void): Promise<{ run: RunBody; readsAfter: number }> {
    bed.sim.addOutcome({ project: 'Web', environment: 'Production', state: 'Manual', times: 1 });
    const readsBefore = taskReads().length;
    await deployRun({ pollInterval: '1h' }, ['waiting']);
    const firstRead = await eventually(
      async () =>
        taskReads()
          .slice(readsBefore)
          .find((r) => r.status === 200),
      10_000,
      'the first task read',
    );
    const taskId = firstRead.path.split('/').at(-1)!;
    const readsAtFinish = taskReads().length;
    finish(taskId);
    const run = await bed.t.runReaching({ reaction: `deploy-${n}` }, ['succeeded', 'failed'], 20_000);
    return { run, readsAfter: taskReads().length - readsAtFinish };
  }

  it("deploys and finishes on the webhook, with the seed's output", async () => {
    const before = deploymentPosts().length;
    const { run, readsAfter } = await deployRunFinishedByWebhook((taskId) => bed.sim.completeTask(taskId, 'Success'));
    expect(readsAfter).toBe(1); // the resume's read of the finished task, not a poll
    const step = run.steps[0]!;
    expect(step.channel).toBe('success');
    const output = step.output as Finished;
    expect(output.type).toBe('octopus.deployment.finished');
    expect(Object.keys(output.data).sort()).toEqual([
      'completedTime',
      'created',
      'deploymentId',
      'duration',
      'environmentId',
      'projectId',
      'releaseId',
      'taskId',
      'taskState',
      'webUrl',
    ]);
    expect(output.data).toMatchObject({
      taskState: 'Success',
      deploymentId: expect.stringMatching(/^Deployments-/),
      webUrl: expect.stringContaining('/app#/Spaces-1/deployments/'),
    });
    expect(deploymentPosts().length).toBe(before + 1);
    expect(JSON.stringify(run)).not.toContain(bed.sim.apiKey);
  });

  it('finishes a deployment that ended before its wait was stored (its webhook found no waiter)', async () => {
    bed.sim.addOutcome({ project: 'Web', environment: 'Production', state: 'Success', queuedMs: 0, executingMs: 0, times: 1 });
    // Octopus answers the POST late: the deployment ends and its webhook is stored meanwhile.
    bed.sim.addFault({ method: 'POST', path: '/api/Spaces-1/deployments', delayMs: 3_000 });
    const run = await deployRun({ pollInterval: '1h' });
    const step = run.steps[0]!;
    expect(step.channel).toBe('success');
    const { deploymentId } = (step.output as Finished).data as { deploymentId: string };
    const answered = deploymentPosts().at(-1)!.at;
    const events = await bed.t.api({ method: 'GET', url: '/api/v1/events?type=octopus.deployment.succeeded' });
    const webhook = events
      .json<{ items: Array<{ data: { deploymentId: string }; receivedAt: string }> }>()
      .items.find((e) => e.data.deploymentId === deploymentId);
    expect(webhook, 'the webhook of the deployment').toBeDefined();
    expect(Date.parse(webhook!.receivedAt)).toBeLessThan(Date.parse(answered));
  });

  it('deploys to the machines named (by name or id) and without those excluded', async () => {
    const run = await deployRun({ pollInterval: '1h', machines: ['WEB-PROD-01'], excludeMachines: ['Machines-3'] });
    expect(run.steps[0]!.channel).toBe('success');
    const post = deploymentPosts().at(-1)!;
    expect(post.body).toMatchObject({ SpecificMachineIds: ['Machines-2'], ExcludedMachineIds: ['Machines-3'] });
    const deployment = bed.sim.state.deployments.at(-1)!;
    expect(deployment).toMatchObject({ specificMachineIds: ['Machines-2'], excludedMachineIds: ['Machines-3'] });
    expect(run.steps[0]!.logs.join('\n')).toContain('on Machines-2 without Machines-3');
  });

  it('fails at once, naming it, on a machine the space does not have or an item rendered empty', async () => {
    const before = deploymentPosts().length;
    const unknown = (await deployRun({ pollInterval: '1h', machines: ['web-prod-01', 'web-gone-09'] })).steps[0]!;
    expect(unknown).toMatchObject({ channel: 'failed', attempt: 1 });
    expect(unknown.error).toContain('machines: no deployment target named or with id "web-gone-09"');
    const excluded = (await deployRun({ pollInterval: '1h', excludeMachines: ['Machines-404'] })).steps[0]!;
    expect(excluded.error).toContain('excludeMachines: no deployment target named or with id "Machines-404"');
    const empty = (await deployRun({ pollInterval: '1h', machines: ['  '] })).steps[0]!;
    expect(empty).toMatchObject({ channel: 'failed', attempt: 1 });
    expect(empty.error).toContain('machines: an item is empty');
    expect(deploymentPosts().length).toBe(before);
  });

  it('routes a failed deployment to failed with its error', async () => {
    bed.sim.addOutcome({
      project: 'Web',
      environment: 'Production',
      state: 'Failed',
      errorMessage: 'The deployment failed because one or more steps failed.',
      times: 1,
    });
    const step = (await deployRun({ pollInterval: '1h' })).steps[0]!;
    expect(step.channel).toBe('failed');
    expect((step.output as Finished).data).toMatchObject({
      taskState: 'Failed',
      errorMessage: expect.stringContaining('one or more steps failed'),
    });
  });

  it.each(['Canceled', 'TimedOut'] as const)(
    'reports %s (delivered as DeploymentFailed) as failed with the true task state',
    async (state) => {
      bed.sim.addOutcome({ project: 'Web', environment: 'Production', state, times: 1 });
      const step = (await deployRun({ pollInterval: '1h' })).steps[0]!;
      expect(step.channel).toBe('failed');
      expect((step.output as Finished).data.taskState).toBe(state);
    },
  );

  it('finishes by polling when no webhook arrives', async () => {
    bed.sim.setDelivery({ drop: true });
    try {
      const step = (await deployRun({ pollInterval: '5s' })).steps[0]!;
      expect(step.channel).toBe('success');
      expect(bed.sim.requests('GET').some((r) => /\/tasks\/ServerTasks-/.test(r.path))).toBe(true);
    } finally {
      bed.sim.setDelivery({ drop: false });
    }
  });

  it('times out to failed with reason timeout, cancelling the task when asked', async () => {
    bed.sim.addOutcome({ project: 'Web', environment: 'Production', state: 'Manual', times: 1 });
    const step = (await deployRun({ timeout: '1s', pollInterval: '1h', cancelOnTimeout: true })).steps[0]!;
    expect(step.channel).toBe('failed');
    const output = step.output as { reason: string; taskId: string };
    expect(output.reason).toBe('timeout');
    await eventually(async () => (bed.sim.state.tasks.find((t) => t.id === output.taskId)?.state === 'Canceled' ? true : undefined));
  });

  it('cancels the Octopus task when the run is cancelled', async () => {
    bed.sim.addOutcome({ project: 'Web', environment: 'Production', state: 'Manual', times: 1 });
    const run = await deployRun({ pollInterval: '1h' }, ['waiting']);
    const taskId = (
      await eventually(async () => {
        const tasks = bed.sim.state.tasks.filter((t) => t.state === 'Executing');
        return tasks.length === 1 ? tasks[0] : undefined;
      })
    ).id;
    expect((await bed.t.api({ method: 'POST', url: `/api/v1/runs/${run.id}/cancel` })).statusCode).toBe(200);
    await eventually(async () => (bed.sim.state.tasks.find((t) => t.id === taskId)?.state === 'Canceled' ? true : undefined));
  });

  it('finds the deployment an interrupted attempt created instead of deploying twice', async () => {
    const action = bed.t.runtime.registry.get('octopus.deployRelease')!;
    const connection = (await bed.t.store.connections.withSecrets('prod'))!;
    const { ctx, close } = createTestContext({
      allowHosts: ['127.0.0.1'],
      connections: { prod: connection },
      runId: 'run-crash',
      stepId: 'deploy',
    });
    try {
      const config = { connection: 'prod', project: 'Web', release: 'latest', environment: 'Staging', pollInterval: '1h' };
      const before = deploymentPosts().length;
      // The first attempt created the deployment, then the process died before recording it.
      const first = (await action.run(ctx, config)) as { state: { deploymentId: string } };
      // The step runs again with the same idempotency key.
      const again = (await action.run(ctx, config)) as { state: { deploymentId: string } };
      expect(again.state.deploymentId).toBe(first.state.deploymentId);
      expect(deploymentPosts().length).toBe(before + 1);
    } finally {
      await close();
    }
  });

  describe('riding out a hiccup of the Octopus server', () => {
    const fastRetry = { retry: { attempts: 2, initial: '100ms', max: '200ms' } };
    afterEach(() => bed.sim.clearFaults());

    /** Like deployRun, with the step's retry policy (the backoff of its failed polls) given. */
    async function deployRunWith(withConfig: Record<string, unknown>, step: Record<string, unknown>): Promise<RunBody> {
      const name = `deploy-${++n}`;
      await bed.t.applyReaction({
        name,
        on: { event: 'deploy.recorded', filter: { serviceAlias: name } },
        steps: {
          deploy: {
            uses: 'octopus.deployRelease',
            with: { connection: 'prod', project: 'Web', release: '1.0.1', environment: 'Production', ...withConfig },
            ...step,
          },
        },
      });
      await bed.t.ingest({ service: name, dedup_id: name });
      return bed.t.runReaching({ reaction: name }, ['succeeded', 'failed'], 30_000);
    }

    it('survives two failed polls (a 500, then a dropped connection) and ends on success', async () => {
      bed.sim.setDelivery({ drop: true });
      const before = taskReads().length;
      try {
        bed.sim.addFault({ path: '/api/tasks/*', status: 500 });
        bed.sim.addFault({ path: '/api/tasks/*', drop: true });
        const step = (await deployRunWith({ pollInterval: '5s' }, fastRetry)).steps[0]!;
        expect(step).toMatchObject({ channel: 'success', attempt: 1 });
        expect((step.output as Finished).data.taskState).toBe('Success');
        expect(
          taskReads()
            .slice(before)
            .map((r) => r.status),
        ).toEqual([500, 0, 200]);
      } finally {
        bed.sim.setDelivery({ drop: false });
      }
    });

    it('retries the task read of a webhook resume that meets 500s, and ends once', async () => {
      const before = taskReads().length;
      const { run } = await deployRunFinishedByWebhook((taskId) => {
        bed.sim.addFault({ path: '/api/tasks/*', status: 500, times: 2 });
        bed.sim.completeTask(taskId, 'Success');
      });
      expect(run.steps[0]).toMatchObject({ channel: 'success', attempt: 1 });
      expect(
        taskReads()
          .slice(before)
          .map((r) => r.status),
      ).toEqual([200, 500, 500, 200]);
      const ends = (
        await bed.t.store.db.transaction((q) =>
          q.query<{ data: string }>("SELECT data FROM events WHERE type IN ('run.succeeded', 'run.failed')"),
        )
      ).filter((e) => (JSON.parse(e.data) as { runId: string }).runId === run.id);
      expect(ends).toHaveLength(1);
    });

    it('fails at once on an answer that asking again cannot change (a 404 for the task)', async () => {
      const before = taskReads().length;
      bed.sim.addFault({ path: '/api/tasks/*', status: 404 });
      const step = (await deployRunWith({ pollInterval: '1h' }, fastRetry)).steps[0]!;
      expect(step.channel).toBe('failed');
      expect(step.error).toContain('was not found');
      expect(
        taskReads()
          .slice(before)
          .map((r) => r.status),
      ).toEqual([404]);
    });

    it('still deploys exactly once when the lookup for an earlier deployment fails on the first attempt', async () => {
      const before = deploymentPosts().length;
      bed.sim.addFault({ path: '*/releases/*/deployments', status: 500 });
      const step = (await deployRunWith({ pollInterval: '1h' }, { retry: { attempts: 1 } })).steps[0]!;
      expect(step).toMatchObject({ channel: 'success', attempt: 1 });
      expect(step.logs.join('\n')).toContain('could not look for a deployment made by an earlier attempt');
      expect(deploymentPosts().length).toBe(before + 1);
    });

    it('on a later attempt, a failed lookup is an error to retry, never a second deployment', async () => {
      const action = bed.t.runtime.registry.get('octopus.deployRelease')!;
      const connection = (await bed.t.store.connections.withSecrets('prod'))!;
      const { ctx, close } = createTestContext({
        allowHosts: ['127.0.0.1'],
        connections: { prod: connection },
        runId: 'run-lookup',
        stepId: 'deploy',
        attempt: 2,
      });
      try {
        const before = deploymentPosts().length;
        bed.sim.addFault({ path: '*/releases/*/deployments', status: 400 });
        const failed = await action
          .run(ctx, { connection: 'prod', project: 'Web', release: 'latest', environment: 'Staging', pollInterval: '1h' })
          .then(
            () => null,
            (err: unknown) => err,
          );
        expect(failed).toBeInstanceOf(Error);
        expect(failed).not.toBeInstanceOf(NonRetriableError);
        expect(deploymentPosts().length).toBe(before);
      } finally {
        await close();
      }
    });
  });

  it("chains Staging → Production from the triggering event's release", async () => {
    await bed.t.applyReaction({
      name: 'promote',
      on: { event: 'octopus.deployment.succeeded', connection: 'prod', project: 'Payments API', environment: 'Staging' },
      steps: {
        production: {
          uses: 'octopus.deployRelease',
          with: {
            connection: 'prod',
            project: '{{ data.projectId }}',
            release: '{{ data.releaseId }}',
            environment: 'Production',
            pollInterval: '1h',
          },
        },
      },
    });
    const staging = await simDeploy(bed.sim, 'Payments API', '2.3.0', 'Staging');
    const run = await bed.t.runReaching({ reaction: 'promote' }, ['succeeded', 'failed'], 20_000);
    const data = (run.steps[0]!.output as Finished).data;
    expect(run.steps[0]!.channel).toBe('success');
    expect(data.releaseId).toBe(staging.releaseId);
    const production = bed.sim.state.deployments.find((d) => d.id === data.deploymentId);
    expect(production?.environmentId).toBe(bed.sim.state.environments.find((e) => e.name === 'Production' && e.spaceId === 'Spaces-1')?.id);
    await bed.t.api({ method: 'DELETE', url: '/api/v1/reactions/promote' });
  });

  it('creates a release, with a version or by the channel rules, and a repeat finds the same release', async () => {
    await bed.t.applyReaction({
      name: 'package-ready',
      on: { event: 'deploy.recorded', filter: { serviceAlias: 'package-ready' } },
      steps: {
        named: {
          uses: 'octopus.createRelease',
          with: { connection: 'prod', project: 'Web', version: '1.2.0', releaseNotes: 'from Shipline' },
        },
        again: { after: 'named', uses: 'octopus.createRelease', with: { connection: 'prod', project: 'Web', version: '1.2.0' } },
        next: { after: 'again', uses: 'octopus.createRelease', with: { connection: 'prod', project: 'Web' } },
      },
    });
    await bed.t.ingest({ service: 'package-ready', dedup_id: 'package-ready' });
    const run = await bed.t.runReaching({ reaction: 'package-ready' }, ['succeeded', 'failed'], 20_000);
    expect(run.status).toBe('succeeded');
    const [named, again, next] = run.steps.map((s) => s.output as { releaseId: string; version: string; projectId: string });
    expect(named).toMatchObject({
      version: '1.2.0',
      releaseId: expect.stringMatching(/^Releases-/),
      projectId: expect.stringMatching(/^Projects-/),
    });
    expect(again!.releaseId).toBe(named!.releaseId);
    expect(next!.version).toBe('1.2.1');
  });
});
