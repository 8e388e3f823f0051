import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './support/databases.js';
import type { OctopusTestBed } from './support/octopus.js';
import { octopusTestBed, simDeploy } from './support/octopus.js';
import type { RunBody } from './support/runtime.js';
import { eventually } from './support/sink.js';

// A script given an Octopus connection works with the Octopus API as that connection, with the
// variables it got, and the key stays out of everything Shipline records or logs.

/** Lists the space's projects as any script would, then prints what it got (the key too, to prove it is hidden). */
const LIST_PROJECTS = `
(async () => {
  const { OCTOPUS_URL: url, OCTOPUS_API_KEY: key, OCTOPUS_SPACE: space } = process.env;
  const res = await fetch(url + '/api/' + space + '/projects/all', { headers: { 'X-Octopus-ApiKey': key } });
  if (!res.ok) throw new Error('Octopus answered ' + res.status);
  const projects = await res.json();
  console.log('::output projects=' + projects.map((p) => p.Name).sort().join(','));
  console.log('::output url=' + url);
  console.log('::output space=' + space);
  console.log('::output key=' + key);
  console.log('listing with key ' + key);
  for (const name of ['EVENT_ID', 'EVENT_TYPE', 'PROJECT_ID', 'RELEASE_ID', 'DEPLOYMENT_ID', 'ENVIRONMENT_ID', 'CHANNEL_ID', 'MACHINE_ID'])
    console.log('::output ' + name + '=' + (process.env['SHIPLINE_' + name] ?? 'unset'));
})().catch((err) => { console.error(String(err)); process.exit(1); });
`;

interface EventBody {
  id: string;
  type: string;
  data: Record<string, unknown>;
}

describe.each(DIALECTS)('scripts with a ready client on %s', (dialect) => {
  let bed: OctopusTestBed;

  beforeAll(async () => {
    bed = await octopusTestBed(dialect);
    await bed.connect('prod-octopus');
    await bed.subscriptionWith(['DeploymentFailed', 'DeploymentQueued', 'DeploymentStarted', 'DeploymentSucceeded']);
  });
  afterAll(async () => {
    await bed?.close();
  });

  it('lists the projects through Octopus with the variables it got, with the deployment event’s ids, and the key is recorded and logged nowhere', async () => {
    await bed.t.applyReaction({
      name: 'octo-client',
      on: { event: 'octopus.deployment.succeeded', connection: 'prod-octopus', project: 'Web' },
      steps: { list: { uses: 'script', with: { shell: 'node', connections: ['prod-octopus'], run: LIST_PROJECTS } } },
    });
    const { deploymentId } = await simDeploy(bed.sim, 'Web', '1.0.1', 'Production');
    const run = await bed.t.runReaching({ reaction: 'octo-client' }, ['succeeded', 'failed']);
    const step = run.steps[0]!;
    expect(run.status, JSON.stringify(step)).toBe('succeeded');

    const projects = (await (
      await fetch(`${bed.sim.url}/api/Spaces-1/projects/all`, { headers: { 'x-octopus-apikey': bed.sim.apiKey } })
    ).json()) as Array<{
      Name: string;
    }>;
    const outputs = (step.output as { outputs: Record<string, string> }).outputs;
    expect(outputs.projects).toBe(
      projects
        .map((p) => p.Name)
        .sort()
        .join(','),
    );
    expect(outputs).toMatchObject({ url: bed.sim.url, space: 'Spaces-1', MACHINE_ID: 'unset' });

    const events = (await bed.t.api({ method: 'GET', url: '/api/v1/events?type=octopus.deployment.succeeded&limit=100' })).json<{
      items: EventBody[];
    }>().items;
    const event = events.find((e) => e.data.deploymentId === deploymentId)!;
    expect(outputs).toMatchObject({
      EVENT_ID: event.id,
      EVENT_TYPE: 'octopus.deployment.succeeded',
      PROJECT_ID: event.data.projectId,
      RELEASE_ID: event.data.releaseId,
      DEPLOYMENT_ID: deploymentId,
      ENVIRONMENT_ID: event.data.environmentId,
      CHANNEL_ID: event.data.channelId,
    });
    expect(event.data.projectId).toMatch(/^Projects-/);

    // The key: not in the output, the step's log, the run record, the events, nor the server's log.
    const key = bed.sim.apiKey;
    expect(outputs.key).not.toContain(key);
    expect(step.logs.some((line) => line.includes('listing with key'))).toBe(true);
    const record = (await bed.t.api({ method: 'GET', url: `/api/v1/runs/${run.id}` })).body;
    expect(record).not.toContain(key);
    expect(JSON.stringify(step)).not.toContain(key);
    expect((await bed.t.api({ method: 'GET', url: '/api/v1/events?limit=200' })).body).not.toContain(key);
    expect(bed.t.logs.join('\n')).not.toContain(key);
  });

  it('hides the key in what a failing script writes to stderr, too', async () => {
    await bed.t.applyReaction({
      name: 'octo-failing',
      on: { event: 'deploy.recorded', filter: { serviceAlias: 'failing-script' } },
      steps: {
        fail: {
          uses: 'script',
          with: { shell: 'node', connections: ['prod-octopus'], run: 'throw new Error("refused with " + process.env.OCTOPUS_API_KEY)' },
        },
      },
    });
    await bed.t.ingest({ service: 'failing-script', dedup_id: 'failing-script-1' });
    const run = await bed.t.runReaching({ reaction: 'octo-failing' }, ['succeeded', 'failed']);
    const step = run.steps[0]!;
    expect(step.channel).toBe('failed');
    expect((step.output as { stderrTail: string }).stderrTail).toContain('refused with ');
    const key = bed.sim.apiKey;
    expect((await bed.t.api({ method: 'GET', url: `/api/v1/runs/${run.id}` })).body).not.toContain(key);
    expect(bed.t.logs.join('\n')).not.toContain(key);
  });

  it('fails at once, without retrying, for a connection that does not exist, naming it', async () => {
    await bed.t.applyReaction({
      name: 'octo-missing',
      on: { event: 'deploy.recorded', filter: { serviceAlias: 'missing-conn' } },
      steps: {
        list: {
          uses: 'script',
          retry: { attempts: 3, initial: '10ms' },
          with: { shell: 'node', connections: ['no-such-octopus'], run: 'console.log("ran")' },
        },
      },
    });
    await bed.t.ingest({ service: 'missing-conn', dedup_id: 'missing-conn-1' });
    const run: RunBody = await bed.t.runReaching({ reaction: 'octo-missing' }, ['succeeded', 'failed']);
    expect(run.status).toBe('failed');
    expect(run.steps[0]).toMatchObject({ attempt: 1, error: 'connection no-such-octopus does not exist' });
    expect(run.steps[0]!.logs.join('\n')).not.toContain('ran');
  });

  it('refuses connections picked by a template, and a reaction with a script from a non-admin', async () => {
    const templated = {
      name: 'octo-templated',
      on: { event: 'octopus.deployment.succeeded' },
      steps: { list: { uses: 'script', with: { run: 'true', connections: ['prod-octopus', '{{ data.connection }}'] } } },
    };
    const refused = await bed.t.api({ method: 'PUT', url: '/api/v1/reactions/octo-templated', payload: templated });
    expect(refused.statusCode).toBe(400);
    expect(refused.json<{ error: { code: string; details: { problems: string[] } } }>().error).toMatchObject({
      code: 'reaction.invalid',
      details: {
        problems: [
          expect.stringMatching(
            /^steps\.list\.with\.connections\[1\]: templates are not allowed in a script's connections \(event data could pick/,
          ),
        ],
      },
    });
    const whole = { ...templated, steps: { list: { uses: 'script', with: { run: 'true', connections: '{{ data.list }}' } } } };
    expect((await bed.t.api({ method: 'PUT', url: '/api/v1/reactions/octo-templated', payload: whole })).statusCode).toBe(400);
    const notNames = { ...templated, steps: { list: { uses: 'script', with: { run: 'true', connections: ['Prod Octopus'] } } } };
    expect((await bed.t.api({ method: 'PUT', url: '/api/v1/reactions/octo-templated', payload: notNames })).statusCode).toBe(400);

    const literal = { ...templated, steps: { list: { uses: 'script', with: { run: 'true', connections: ['prod-octopus'] } } } };
    const asWriter = await bed.t.api({ method: 'PUT', url: '/api/v1/reactions/octo-templated', payload: literal, role: 'write' });
    expect(asWriter.statusCode).toBe(403);
    expect((await bed.t.api({ method: 'GET', url: '/api/v1/reactions/octo-templated' })).statusCode).toBe(404);
  });

  it('refuses when applied two connections giving one variable, and env setting a variable a connection gives', async () => {
    const second = await bed.connect('staging-octopus');
    const put = (withConfig: Record<string, unknown>) =>
      bed.t.api({
        method: 'PUT',
        url: '/api/v1/reactions/octo-two',
        payload: {
          name: 'octo-two',
          on: { event: 'deploy.recorded' },
          steps: { list: { uses: 'script', with: { run: 'true', ...withConfig } } },
        },
      });
    const problemsOf = (res: Awaited<ReturnType<typeof put>>) =>
      res.json<{ error: { code: string; details: { problems: string[] } } }>().error.details.problems;
    try {
      const both = await put({ connections: ['prod-octopus', 'staging-octopus'] });
      expect(both.statusCode).toBe(400);
      expect(problemsOf(both)).toEqual([
        'steps.list.with.connections: connections "prod-octopus" and "staging-octopus" both give OCTOPUS_URL; name at most one connection of each kind',
      ]);
      const env = await put({ connections: ['prod-octopus'], env: { OCTOPUS_API_KEY: 'mine', OTHER: 'kept' } });
      expect(env.statusCode).toBe(400);
      expect(problemsOf(env)).toEqual([
        'steps.list.with.env.OCTOPUS_API_KEY: a variable connection "prod-octopus" (octopus) gives; remove it from env or use another name',
      ]);
      expect((await bed.t.api({ method: 'GET', url: '/api/v1/reactions/octo-two' })).statusCode).toBe(404);
      // A connection that does not exist yet may be created later: its step is checked when it runs.
      expect((await put({ connections: ['prod-octopus', 'later-octopus'], env: { OCTOPUS_API_KEY: 'mine' } })).statusCode).toBe(400);
      expect((await put({ connections: ['later-octopus'], env: { OCTOPUS_API_KEY: 'mine' } })).statusCode).toBeLessThan(300);
    } finally {
      await bed.t.api({ method: 'DELETE', url: '/api/v1/reactions/octo-two' });
      await bed.t.api({ method: 'DELETE', url: `/api/v1/connections/${second.id}` });
    }
  });

  it('has the run record show the connection names the step was given, and nothing of their values', async () => {
    const run = await eventually(async () => {
      const runs = (await bed.t.api({ method: 'GET', url: '/api/v1/runs?reaction=octo-client' })).json<{ items: Array<{ id: string }> }>();
      return runs.items[0];
    });
    const record = (await bed.t.api({ method: 'GET', url: `/api/v1/runs/${run.id}` })).json<RunBody>();
    expect(record.steps[0]!.input).toMatchObject({ connections: ['prod-octopus'], shell: 'node' });
  });
});
