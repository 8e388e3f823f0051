import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackStandIn } from '../src/integrations/slack/stand-in.test-support.js';
import type { OctopusSimSeed } from '../src/simulators/octopus/index.js';
import { DIALECTS } from './support/databases.js';
import type { OctopusTestBed } from './support/octopus.js';
import { octopusTestBed } from './support/octopus.js';
import { eventually } from './support/sink.js';

/**
 * The three chains of Octopus lifecycle events, end to end: Shipline with its engine, an Octopus
 * connection to the stand-in and a Slack connection to Slack's stand-in, each example reaction
 * from examples/reactions/ applied as shipped; then something happens in Octopus and the outcome
 * is awaited (with a deadline) where it lands: in Octopus, or in Slack.
 */

const SEED: OctopusSimSeed = {
  spaces: [
    {
      name: 'Default',
      environments: ['Development', 'Test', 'Production'],
      projects: [
        { name: 'Web', releases: ['1.0.0', '1.0.1'] },
        { name: 'Payments API', releases: ['2.3.0'] },
      ],
      machines: [{ name: 'web-dev-01', environments: ['Development'], roles: ['web-server'] }],
    },
  ],
};

const example = (file: string) => readFileSync(new URL(`../examples/reactions/${file}`, import.meta.url), 'utf8');

interface StoredEvent {
  type: string;
  data: Record<string, unknown>;
}

describe.each(DIALECTS)('Octopus lifecycle chains on %s', (dialect) => {
  let bed: OctopusTestBed;
  let slack: SlackStandIn;

  beforeAll(async () => {
    slack = await new SlackStandIn().start();
    bed = await octopusTestBed(dialect, { sim: { seed: SEED } });
    await bed.connect('prod');
    const res = await bed.t.api({
      method: 'POST',
      url: '/api/v1/connections',
      payload: { type: 'slack', name: 'slack', config: { apiUrl: slack.apiUrl }, secrets: { botToken: 'xoxb-valid' } },
    });
    expect(res.statusCode, res.body).toBe(201);
  });
  afterAll(async () => {
    await bed.close();
    await slack.close();
  });

  /** Applies an example as shipped (YAML), then waits until Octopus's subscription carries `category`. */
  async function apply(file: string, category: string): Promise<string> {
    const text = example(file);
    const name = /^name: (\S+)$/m.exec(text)![1]!;
    const res = await bed.t.api({
      method: 'PUT',
      url: `/api/v1/reactions/${name}`,
      headers: { 'content-type': 'application/yaml' },
      payload: text,
    });
    expect([200, 201], res.body).toContain(res.statusCode);
    await bed.runtimeReconcile();
    await eventually(
      async () => {
        const [sub] = (await bed.subscriptions()).filter((s) => s.Name.startsWith('Shipline '));
        return sub?.EventNotificationSubscription.Filter.EventCategories?.includes(category) ? true : undefined;
      },
      10_000,
      `the subscription to carry ${category}`,
    );
    return name;
  }

  const events = async (type: string) =>
    (await bed.t.api({ method: 'GET', url: `/api/v1/events?type=${type}&limit=100` })).json<{ items: StoredEvent[] }>().items;

  it('a new Tentacle registers: the latest release is deployed to that machine only', async () => {
    const reaction = await apply('deploy-to-new-tentacle.yaml', 'MachineAdded');
    const machine = bed.sim.addMachine({ name: 'web-test-07', environments: ['Test'], roles: ['web-server'] }) as { Id: string };

    const run = await bed.t.runReaching({ reaction }, ['succeeded', 'failed'], 30_000);
    expect(run.status, JSON.stringify(run.steps)).toBe('succeeded');
    const deployment = bed.sim.state.deployments.find((d) => d.specificMachineIds.includes(machine.Id));
    expect(deployment).toMatchObject({ specificMachineIds: [machine.Id], excludedMachineIds: [], environmentId: 'Environments-2' });
    const latest = bed.sim.state.releases.filter((r) => r.projectId === 'Projects-1').at(-1)!;
    expect(deployment!.releaseId).toBe(latest.id);

    // The event carries the machine as Octopus describes it, read after the delivery was stored.
    const [added] = (await events('octopus.machine.added')).filter((e) => e.data.machineId === machine.Id);
    expect(added!.data).toMatchObject({
      machineName: 'web-test-07',
      environmentIds: ['Environments-2'],
      roles: ['web-server'],
      machineIds: [machine.Id],
    });
  });

  it('a machine without the web role starts no deployment', async () => {
    const before = bed.sim.state.deployments.length;
    const machine = bed.sim.addMachine({ name: 'db-test-01', environments: ['Test'], roles: ['db-server'] }) as { Id: string };
    await eventually(async () => ((await events('octopus.machine.added')).some((e) => e.data.machineId === machine.Id) ? true : undefined));
    const runs = (await bed.t.api({ method: 'GET', url: '/api/v1/runs?reaction=deploy-to-new-tentacle' })).json<{ items: unknown[] }>();
    expect(runs.items).toHaveLength(1);
    expect(bed.sim.state.deployments.length).toBe(before);
  });

  it('a release is created: it is deployed to Development, then on success to Test', async () => {
    const reaction = await apply('release-to-development-then-test.yaml', 'ReleaseCreated');
    const created = await fetch(`${bed.sim.url}/api/Spaces-1/releases`, {
      method: 'POST',
      headers: { 'x-octopus-apikey': bed.sim.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ ProjectId: 'Projects-1', Version: '1.1.0' }),
    });
    const release = (await created.json()) as { Id: string };

    const run = await bed.t.runReaching({ reaction }, ['succeeded', 'failed'], 30_000);
    expect(run.status, JSON.stringify(run.steps)).toBe('succeeded');
    expect(run.steps.map((s) => [s.id, s.channel])).toEqual([
      ['development', 'success'],
      ['test', 'success'],
    ]);
    const deployments = bed.sim.state.deployments.filter((d) => d.releaseId === release.Id);
    expect(deployments.map((d) => d.environmentId)).toEqual(['Environments-1', 'Environments-2']);
    const [event] = (await events('octopus.release.created')).filter((e) => e.data.releaseId === release.Id);
    expect(event!.data).toMatchObject({ version: '1.1.0', projectId: 'Projects-1', projectName: 'Web', channelId: 'Channels-1' });
  });

  it('a release whose Development deployment fails goes no further', async () => {
    bed.sim.addOutcome({ project: 'Web', environment: 'Development', state: 'Failed', times: 1 });
    const before = (await bed.t.api({ method: 'GET', url: '/api/v1/runs?reaction=release-to-development-then-test' })).json<{
      items: Array<{ id: string }>;
    }>().items;
    const created = await fetch(`${bed.sim.url}/api/Spaces-1/releases`, {
      method: 'POST',
      headers: { 'x-octopus-apikey': bed.sim.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ ProjectId: 'Projects-1', Version: '1.2.0' }),
    });
    const release = (await created.json()) as { Id: string };
    const run = await eventually(
      async () => {
        const list = (await bed.t.api({ method: 'GET', url: '/api/v1/runs?reaction=release-to-development-then-test' })).json<{
          items: Array<{ id: string; status: string }>;
        }>().items;
        const fresh = list.find((r) => !before.some((b) => b.id === r.id) && ['succeeded', 'failed'].includes(r.status));
        return fresh;
      },
      30_000,
      'the second run to end',
    );
    expect(run.status).toBe('failed');
    expect(bed.sim.state.deployments.filter((d) => d.releaseId === release.Id).map((d) => d.environmentId)).toEqual(['Environments-1']);
  });

  it('a deployment process changes: Slack gets who changed which project, with the audit link', async () => {
    const reaction = await apply('deployment-process-change-to-slack.yaml', 'Modified');
    bed.sim.modifyDeploymentProcess('Payments API');

    const run = await bed.t.runReaching({ reaction }, ['succeeded', 'failed'], 30_000);
    expect(run.status, JSON.stringify(run.steps)).toBe('succeeded');
    const [message] = slack.messages;
    expect(message!.channel).toBe('C0DEPLOYS');
    expect(message!.text).toContain('sim-admin changed the deployment process of Payments API.');
    const link = /Diff: (\S+)/.exec(message!.text ?? '')?.[1];
    expect(link).toMatch(
      new RegExp(`^${bed.sim.url.replace(/[.]/g, '\\.')}/app#/Spaces-1/configuration/audit\\?.*eventCategories=Modified`),
    );
    const [event] = await events('octopus.deployment_process.changed');
    expect(event!.data).toMatchObject({ projectId: 'Projects-2', deploymentProcessId: 'deploymentprocess-Projects-2', auditUrl: link });
  });
});
