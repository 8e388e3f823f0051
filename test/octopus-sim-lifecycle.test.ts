import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startOctopusSim } from '../src/simulators/octopus/index.js';
import type { OctopusSim } from '../src/simulators/octopus/index.js';
import { parseDelivery, deliveryEventType } from '../src/integrations/octopus/payload.js';
import { Sink } from './support/sink.js';

/** The stand-in's deployment targets, the events they record, and deployments aimed at some of them. */

interface Machine {
  Id: string;
  Name: string;
  EnvironmentIds: string[];
  Roles: string[];
  HealthStatus: string;
}
interface Delivered {
  Payload: { Event: { Id: string; Category: string; Message: string; RelatedDocumentIds: string[]; Username: string } };
}

async function call<T = Record<string, unknown>>(sim: OctopusSim, method: string, path: string, body?: unknown) {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: { 'X-Octopus-ApiKey': sim.apiKey, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

let sim: OctopusSim;
let sink: Sink;
beforeAll(async () => {
  sim = await startOctopusSim();
  sink = await new Sink().start();
});
afterEach(async () => {
  await sim.reset();
  sink.requests.length = 0;
});
afterAll(async () => {
  await sim.close();
  await sink.close();
});

const payloads = () => sink.requests.map((r) => JSON.parse(r.body) as Delivered);
const subscribe = () =>
  call(sim, 'POST', '/api/Spaces-1/subscriptions', { Name: 'All', EventNotificationSubscription: { WebhookURI: `${sink.url}/hook` } });

describe('machines in the Octopus stand-in', () => {
  it('lists the seeded targets with their environments, roles and health, under every space prefix', async () => {
    const all = await call<Machine[]>(sim, 'GET', '/api/Spaces-1/machines/all');
    expect(all.body.map((m) => [m.Id, m.Name, m.EnvironmentIds, m.Roles, m.HealthStatus])).toEqual([
      ['Machines-3', 'db-prod-01', ['Environments-3'], ['db-server'], 'Healthy'],
      ['Machines-1', 'web-dev-01', ['Environments-1'], ['web-server'], 'Healthy'],
      ['Machines-2', 'web-prod-01', ['Environments-2', 'Environments-3'], ['web-server'], 'Healthy'],
    ]);
    const page = await call<{ ItemType: string; Items: Machine[] }>(
      sim,
      'GET',
      '/api/spaces/Spaces-1/machines?environmentIds=Environments-3&roles=web-server',
    );
    expect(page.body.ItemType).toBe('DeploymentTarget');
    expect(page.body.Items.map((m) => m.Name)).toEqual(['web-prod-01']);
    expect((await call<Machine>(sim, 'GET', '/api/machines/machines-2')).body.Name).toBe('web-prod-01');
    expect((await call(sim, 'GET', '/api/Spaces-1/machines/Machines-99')).status).toBe(404);
    expect((await call<Machine[]>(sim, 'GET', '/api/Spaces-2/machines/all')).body).toEqual([]);
  });

  it('records and delivers MachineAdded, a health change, MachineDeleted and a process edit, as Shipline reads them', async () => {
    await subscribe();
    const added = sim.addMachine({ name: 'web-test-01', environments: ['Staging', 'Environments-1'], roles: ['web-server'] });
    expect(added).toMatchObject({ Id: 'Machines-4', EnvironmentIds: ['Environments-2', 'Environments-1'] });
    sim.setMachineHealth('web-test-01', 'Healthy'); // unchanged: no event
    sim.setMachineHealth('Machines-4', 'Unavailable');
    sim.deleteMachine('web-test-01');
    sim.modifyDeploymentProcess('Web');
    await sink.waitFor((reqs) => reqs.length === 4);
    const events = payloads().map((p) => p.Payload.Event);
    expect(events.map((e) => [e.Category, e.RelatedDocumentIds, e.Message])).toEqual([
      ['MachineAdded', ['Machines-4', 'Environments-2', 'Environments-1'], 'Deployment target web-test-01 was added'],
      ['MachineUnavailable', ['Machines-4', 'Environments-2', 'Environments-1'], 'Deployment target web-test-01 is unavailable'],
      ['MachineDeleted', ['Machines-4', 'Environments-2', 'Environments-1'], 'Deployment target web-test-01 was deleted'],
      ['Modified', ['deploymentprocess-Projects-1', 'Projects-1'], 'Deployment process of project Web was modified'],
    ]);
    expect(events[0]!.Username).toBe('sim-admin');
    expect(
      payloads()
        .map((p) => (parseDelivery(p) as { ok: true; delivery: Parameters<typeof deliveryEventType>[0] }).delivery)
        .map(deliveryEventType),
    ).toEqual(['octopus.machine.added', 'octopus.machine.health_changed', 'octopus.machine.deleted', 'octopus.deployment_process.changed']);
    expect((await call(sim, 'GET', '/api/Spaces-1/machines/Machines-4')).status).toBe(404);
  });

  it('answers bad control input with a clear error and changes nothing', async () => {
    const bad = [
      await call(sim, 'POST', '/_sim/machines', { name: 'x', environments: ['Nowhere'] }),
      await call(sim, 'POST', '/_sim/machines', { name: 'web-dev-01', environments: ['Development'] }),
      await call(sim, 'POST', '/_sim/machines', { name: 'x', environments: [], colour: 'red' }),
      await call(sim, 'PUT', '/_sim/machines/Machines-1/health', { healthStatus: 'Sleepy' }),
      await call(sim, 'DELETE', '/_sim/machines/Machines-99'),
      await call(sim, 'POST', '/_sim/projects/Nope/deployment-process', {}),
    ];
    expect(bad.map((r) => r.status)).toEqual([404, 409, 400, 400, 404, 404]);
    expect(bad.every((r) => typeof (r.body as { error?: unknown }).error === 'string')).toBe(true);
    expect(sim.state.machines).toHaveLength(3);
    expect(sim.state.events).toEqual([]);
    const ok = await call<Machine>(sim, 'POST', '/_sim/machines', {
      name: 'api-01',
      environments: ['Production'],
      healthStatus: 'HasWarnings',
    });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ Name: 'api-01', HealthStatus: 'HasWarnings', Roles: [] });
  });

  it('records SpecificMachineIds and ExcludedMachineIds on a deployment, and refuses an unknown machine', async () => {
    const created = await call<{ Id: string; SpecificMachineIds: string[]; ExcludedMachineIds: string[] }>(
      sim,
      'POST',
      '/api/Spaces-1/deployments',
      { ReleaseId: 'Releases-2', EnvironmentId: 'Environments-3', SpecificMachineIds: ['machines-2'], ExcludedMachineIds: ['Machines-3'] },
    );
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ SpecificMachineIds: ['Machines-2'], ExcludedMachineIds: ['Machines-3'] });
    expect((await call(sim, 'GET', `/api/Spaces-1/deployments/${created.body.Id}`)).body).toMatchObject({
      SpecificMachineIds: ['Machines-2'],
    });
    const unknown = await call<{ ErrorMessage: string }>(sim, 'POST', '/api/Spaces-1/deployments', {
      ReleaseId: 'Releases-2',
      EnvironmentId: 'Environments-3',
      SpecificMachineIds: ['Machines-77'],
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.ErrorMessage).toContain('Machines-77');
    expect(sim.state.deployments).toHaveLength(1);
  });

  it('records ReleaseCreated for a release created through the API, with the release, project and channel', async () => {
    await subscribe();
    const created = await call<{ Id: string }>(sim, 'POST', '/api/Spaces-1/releases', { ProjectId: 'Projects-1', Version: '1.1.0' });
    await sink.waitFor((reqs) => reqs.length === 1);
    const [event] = payloads().map((p) => p.Payload.Event);
    expect(event).toMatchObject({ Category: 'ReleaseCreated', RelatedDocumentIds: [created.body.Id, 'Projects-1', 'Channels-1'] });
  });
});
