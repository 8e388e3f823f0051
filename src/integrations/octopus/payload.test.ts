import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allRelatedByKind, deliveryEventType, deploymentKeys, eventData, eventTypeOf, parseDelivery, relatedByKind } from './payload.js';

const fixtures = new URL('./fixtures/', import.meta.url);
const load = (name: string) => JSON.parse(readFileSync(new URL(name, fixtures), 'utf8')) as unknown;
const payloads = readdirSync(fixtures).filter((f) => f.startsWith('webhook-payload-'));
const realPayloads = payloads.filter((f) => !f.includes('.synthesized.'));

describe('Octopus deliveries', () => {
  it('has the real example payloads to check against', () => {
    expect(realPayloads.length).toBeGreaterThanOrEqual(4);
  });

  it.each(payloads)('reads the payload %s', (name) => {
    const parsed = parseDelivery(load(name));
    expect(parsed.ok).toBe(true);
  });

  it('reads a DeploymentFailed delivery into the documented fields (times in UTC) plus task, space, channel and user', () => {
    const parsed = parseDelivery(load('webhook-payload-deployment-failed.OctopusSubscriptionListener.json'));
    if (!parsed.ok) throw new Error(parsed.error);
    expect(eventTypeOf(parsed.delivery.category)).toBe('octopus.deployment.failed');
    expect(eventData(parsed.delivery)).toEqual({
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
      machineIds: [],
      tenantIds: [],
      environmentIds: ['Environments-1621'],
      projectIds: ['Projects-4522'],
      releaseIds: ['Releases-11138'],
      deploymentIds: ['Deployments-12519'],
      taskIds: ['ServerTasks-569388'],
      channelIds: ['Channels-5462'],
    });
    expect(deploymentKeys('c1', parsed.delivery)).toEqual([
      'octopus.deployment:c1:Deployments-12519',
      'octopus.task:c1:ServerTasks-569388',
    ]);
  });

  it('tolerates the 2016 form: no ServerUri task or space, Links.Self as an object, an empty Subscription', () => {
    const parsed = parseDelivery(load('webhook-payload-deployment-succeeded.2016.azure-function-comment.json'));
    if (!parsed.ok) throw new Error(parsed.error);
    const data = eventData(parsed.delivery, { projectName: 'NATCH Sandbox', environmentName: 'Production', releaseVersion: '1.0.7834.7' });
    expect(data).toMatchObject({
      deploymentId: 'Deployments-6644',
      projectId: 'Projects-81',
      releaseId: 'Releases-3601',
      environmentId: 'Environments-1',
      projectName: 'NATCH Sandbox',
      releaseVersion: '1.0.7834.7',
    });
    expect(data).not.toHaveProperty('taskId');
  });

  it('splits related ids by kind, whatever their order, keeping the first of each kind', () => {
    expect(relatedByKind(['Channels-1', 'ServerTasks-9', 'Projects-2', 'Deployments-3', 'Tenants-4', 'Projects-7', 7, 'nodash'])).toEqual({
      Channels: 'Channels-1',
      ServerTasks: 'ServerTasks-9',
      Projects: 'Projects-2',
      Deployments: 'Deployments-3',
      Tenants: 'Tenants-4',
    });
  });

  it('lists every related id by kind, machines and tenants too, whatever the kind', () => {
    const parsed = parseDelivery({
      Payload: {
        Event: {
          Id: 'Events-1',
          Category: 'MachineHealthy',
          RelatedDocumentIds: [
            'Machines-1',
            'Machines-4',
            'Tenants-2',
            'Tenants-3',
            'Environments-1',
            'WorkerPools-9',
            'Machines-1',
            '__proto__-1',
          ],
        },
      },
    });
    if (!parsed.ok) throw new Error(parsed.error);
    const data = eventData(parsed.delivery);
    expect(data).toMatchObject({
      machineIds: ['Machines-1', 'Machines-4'],
      tenantIds: ['Tenants-2', 'Tenants-3'],
      environmentIds: ['Environments-1'],
      workerPoolIds: ['WorkerPools-9'],
      projectIds: [],
      tenantId: 'Tenants-2',
      machineId: 'Machines-1',
      healthStatus: 'Healthy',
    });
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expect(allRelatedByKind(['a-b', 'x'])).toEqual({ a: ['a-b'] });
  });

  it.each([
    ['ReleaseCreated', [], 'octopus.release.created'],
    ['MachineAdded', ['Machines-1'], 'octopus.machine.added'],
    ['MachineDeleted', ['Machines-1'], 'octopus.machine.deleted'],
    ['MachineHealthy', ['Machines-1'], 'octopus.machine.health_changed'],
    ['MachineUnhealthy', ['Machines-1'], 'octopus.machine.health_changed'],
    ['MachineUnavailable', ['Machines-1'], 'octopus.machine.health_changed'],
    ['MachineHasWarnings', ['Machines-1'], 'octopus.machine.health_changed'],
    ['Modified', ['deploymentprocess-Projects-3', 'Projects-3'], 'octopus.deployment_process.changed'],
    ['Modified', ['DeploymentProcess-Projects-3'], 'octopus.deployment_process.changed'],
    ['Modified', ['variableset-Projects-3', 'Projects-3'], 'octopus.event'],
    ['MachineEnabled', ['Machines-1'], 'octopus.event'],
    ['TaskCanceled', ['ServerTasks-1'], 'octopus.event'],
  ])('makes %s with %j an %s', (category, ids, type) => {
    const parsed = parseDelivery({ Payload: { Event: { Id: 'Events-2', Category: category, RelatedDocumentIds: ids } } });
    if (!parsed.ok) throw new Error(parsed.error);
    expect(deliveryEventType(parsed.delivery)).toBe(type);
  });

  it('finds the project of a process change in the process id when the event does not list it', () => {
    const parsed = parseDelivery({
      Payload: {
        ServerAuditUri: 'javascript:alert(1)',
        Event: { Id: 'Events-3', Category: 'Modified', RelatedDocumentIds: ['deploymentprocess-Projects-12'] },
      },
    });
    if (!parsed.ok) throw new Error(parsed.error);
    // Only an http(s) link is kept.
    expect(eventData(parsed.delivery)).toMatchObject({
      projectId: 'Projects-12',
      deploymentProcessId: 'deploymentprocess-Projects-12',
      auditUrl: null,
    });
  });

  it('makes every other category an octopus.event and finished deployments only resume waits', () => {
    expect(eventTypeOf('TaskCanceled')).toBe('octopus.event');
    const started = parseDelivery(load('webhook-payload-deployment-started.2019.octopus-blog.json'));
    if (!started.ok) throw new Error(started.error);
    expect(deploymentKeys('c1', started.delivery)).toEqual([]);
  });

  it('refuses a body that is not a subscription delivery, and keys one without Event.Id by its content', () => {
    expect(parseDelivery({ hello: 'world' })).toEqual({ ok: false, error: expect.stringContaining('Payload.Event') });
    expect(parseDelivery('text').ok).toBe(false);
    const body = { Payload: { Event: { Category: 'DeploymentSucceeded', RelatedDocumentIds: ['Deployments-100', 'Projects-1'] } } };
    const a = parseDelivery(body);
    const b = parseDelivery(JSON.parse(JSON.stringify(body)));
    if (!a.ok || !b.ok) throw new Error('not parsed');
    expect(a.delivery.eventId).toMatch(/^sha256:/);
    expect(a.delivery.eventId).toBe(b.delivery.eventId);
  });

  it('reads keys case-insensitively and numbers where strings are expected', () => {
    const parsed = parseDelivery({
      payload: { event: { id: 'Events-5', category: 'DeploymentQueued', relateddocumentids: ['Deployments-1'], spaceid: 'Spaces-1' } },
      timestamp: 17,
    });
    if (!parsed.ok) throw new Error(parsed.error);
    // 17 is no time: it is left out rather than stored as one.
    expect(parsed.delivery).toMatchObject({ eventId: 'Events-5', category: 'DeploymentQueued', spaceId: 'Spaces-1', timestamp: null });
  });

  it("stores Octopus's times in UTC whatever offset the server wrote, with 7 digits of fraction too", () => {
    const parsed = parseDelivery({
      Timestamp: '2026-03-02T09:15:00.5+10:00',
      Payload: {
        Event: {
          Id: 'Events-9',
          Category: 'DeploymentSucceeded',
          Occurred: '2026-03-02T09:14:07.1234567+10:00',
          Username: 'jane',
          UserId: 'Users-42',
        },
      },
    });
    if (!parsed.ok) throw new Error(parsed.error);
    expect(parsed.delivery).toMatchObject({
      occurredAt: '2026-03-01T23:14:07.123Z',
      timestamp: '2026-03-01T23:15:00.500Z',
      username: 'jane',
      userId: 'Users-42',
    });
    const garbled = parseDelivery({ Payload: { Event: { Id: 'Events-10', Category: 'DeploymentSucceeded', Occurred: 'yesterday' } } });
    expect(garbled.ok && garbled.delivery.occurredAt).toBeNull();
  });
});
