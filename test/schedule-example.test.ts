import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackStandIn } from '../src/integrations/slack/stand-in.test-support.js';
import { DIALECTS } from './support/databases.js';
import type { OctopusTestBed } from './support/octopus.js';
import { octopusTestBed } from './support/octopus.js';
import type { RunBody } from './support/runtime.js';
import { eventually } from './support/sink.js';

// The scheduled-deployment example end to end: a tick deploys the latest release of Web to
// Staging through the Octopus stand-in and tells Slack (its stand-in) on either channel.
const FILE = new URL('../examples/reactions/deploy-latest-to-staging-weekdays.yaml', import.meta.url);
const NAME = 'deploy-latest-to-staging-weekdays';

describe.each(DIALECTS)('the weekday Staging deploy example on %s', (dialect) => {
  let bed: OctopusTestBed;
  let slack: SlackStandIn;
  let clock = new Date('2026-03-27T07:59:00Z'); // Friday, 08:59 in Berlin

  beforeAll(async () => {
    slack = await new SlackStandIn().start();
    bed = await octopusTestBed(dialect, { app: { scheduleClock: () => new Date(clock) } });
    await bed.connect('prod');
    await bed.subscriptionWith(['DeploymentFailed', 'DeploymentQueued', 'DeploymentStarted', 'DeploymentSucceeded']);
    const res = await bed.t.api({
      method: 'POST',
      url: '/api/v1/connections',
      payload: { type: 'slack', name: 'team-slack', config: { apiUrl: `${slack.url}/api` }, secrets: { botToken: 'xoxb-valid' } },
    });
    expect(res.statusCode, res.body).toBe(201);
    const put = await bed.t.api({
      method: 'PUT',
      url: `/api/v1/reactions/${NAME}`,
      headers: { 'content-type': 'application/yaml' },
      payload: readFileSync(FILE, 'utf8'),
    });
    expect(put.statusCode, put.body).toBe(201);
    await bed.t.runtime.scheduler.tick(); // seen at 08:59: ticks count from then
  });
  afterAll(async () => {
    await bed.close();
    await slack.close();
  });

  const simGet = async <T>(path: string): Promise<T> =>
    (await (await fetch(`${bed.sim.url}/api/Spaces-1${path}`, { headers: { 'x-octopus-apikey': bed.sim.apiKey } })).json()) as T;

  /** Moves the clock to `at`, runs the scheduler, and returns the run of that tick once it ended. */
  async function tickAt(at: string): Promise<RunBody> {
    clock = new Date(at);
    await bed.t.runtime.scheduler.tick();
    const scheduledAt = new Date(Math.floor(clock.getTime() / 1000) * 1000).toISOString();
    return eventually(
      async () => {
        const body = (await bed.t.api({ method: 'GET', url: `/api/v1/reactions/${NAME}` })).json<{
          schedule: { lastTicks: Array<{ scheduledAt: string; runId: string | null }> };
        }>();
        const tick = body.schedule.lastTicks.find((t) => t.scheduledAt === scheduledAt);
        if (!tick?.runId) return undefined;
        const run = (await bed.t.api({ method: 'GET', url: `/api/v1/runs/${tick.runId}` })).json<RunBody>();
        return ['succeeded', 'failed'].includes(run.status) ? run : undefined;
      },
      20_000,
      `the run of the ${scheduledAt} tick`,
    );
  }

  it('deploys the latest release to Staging at 09:00 and says so in Slack', async () => {
    const run = await tickAt('2026-03-27T08:00:00.100Z');
    expect(run.status).toBe('succeeded');
    const deploy = run.steps.find((s) => s.id === 'deploy')!;
    expect(deploy).toMatchObject({
      channel: 'success',
      input: { release: 'latest', environment: 'Staging', comments: 'Scheduled deploy for 2026-03-27T08:00:00.000Z' },
    });
    // release: latest is 1.0.1, the newest of the stand-in's Web releases.
    const posts = bed.sim.requests('POST').filter((r) => /\/deployments$/.test(r.path));
    expect(posts).toHaveLength(1);
    const web = (await simGet<Array<{ Id: string; Name: string }>>('/projects/all')).find((p) => p.Name === 'Web')!;
    const latest = await simGet<{ Id: string }>(`/projects/${web.Id}/releases/1.0.1`);
    expect(posts[0]!.body).toMatchObject({ ReleaseId: latest.Id });
    expect((deploy.output as { data: { releaseId: string } }).data.releaseId).toBe(latest.Id);
    expect(run.steps.map((s) => [s.id, s.status])).toEqual(expect.arrayContaining([['deployed', 'succeeded']]));
    expect(run.steps.find((s) => s.id === 'failed')?.status ?? 'not started').not.toBe('succeeded');
    expect(slack.messages.map((m) => m.text)).toEqual([expect.stringContaining(':white_check_mark: The latest Web release is on Staging')]);
  });

  it('tells Slack when the deployment fails', async () => {
    bed.sim.addOutcome({ project: 'Web', environment: 'Staging', state: 'Failed', errorMessage: 'A step failed.' });
    const run = await tickAt('2026-03-30T07:00:00.100Z'); // Monday 09:00, summer time
    expect(run.steps.find((s) => s.id === 'deploy')).toMatchObject({ channel: 'failed' });
    expect(run.steps.find((s) => s.id === 'failed')).toMatchObject({ status: 'succeeded' });
    expect(slack.messages.at(-1)!.text).toBe(
      `:x: The scheduled deploy of Web to Staging failed (tick 2026-03-30T07:00:00.000Z, run ${run.id})`,
    );
  });
});
