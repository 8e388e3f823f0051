import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OCTOPUS_EVENTS } from './events.js';
import type { ResolvedMachine, ResolvedNames } from './payload.js';
import { deliveryEventType, eventData, eventTypesOfCategory, parseDelivery } from './payload.js';

const body = (name: string) =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as { Payload: { Event: Record<string, unknown> } };
const delivery = (raw: unknown) => {
  const parsed = parseDelivery(raw);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.delivery;
};
const example = (type: string) => OCTOPUS_EVENTS.find((e) => e.type === type)?.example;

const web03: ResolvedMachine = { name: 'web-03', environmentIds: ['Environments-1621', 'Environments-1622'], roles: ['web-server'] };
const gone: ResolvedMachine = { name: null, environmentIds: null, roles: null };

describe('the events Octopus declares', () => {
  it.each<[string, string, ResolvedNames, ResolvedMachine?]>([
    [
      'webhook-payload-deployment-started.2019.octopus-blog.json',
      'octopus.deployment.started',
      { projectName: 'Accounting Database', environmentName: 'Prod', releaseVersion: '10.33.210' },
    ],
    [
      'webhook-payload-deployment-succeeded.2016.azure-function-comment.json',
      'octopus.deployment.succeeded',
      { projectName: 'NATCH Sandbox', environmentName: 'Production', releaseVersion: '1.0.7834.7' },
    ],
    [
      'webhook-payload-deployment-failed.OctopusSubscriptionListener.json',
      'octopus.deployment.failed',
      { projectName: 'Argo CD Octopub', environmentName: 'Development', releaseVersion: '0.1.178' },
    ],
    [
      'webhook-payload-release-created.synthesized.json',
      'octopus.release.created',
      { projectName: 'Argo CD Octopub', releaseVersion: '0.1.179' },
    ],
    ['webhook-payload-machine-added.synthesized.json', 'octopus.machine.added', {}, web03],
    ['webhook-payload-machine-deleted.synthesized.json', 'octopus.machine.deleted', {}, gone],
    ['webhook-payload-machine-unhealthy.synthesized.json', 'octopus.machine.health_changed', {}, web03],
    [
      'webhook-payload-deployment-process-modified.synthesized.json',
      'octopus.deployment_process.changed',
      { projectName: 'Argo CD Octopub' },
    ],
  ])('give as example what fixtures/%s becomes (%s)', (fixture, type, names, machine) => {
    const d = delivery(body(fixture));
    expect(deliveryEventType(d)).toBe(type);
    expect(example(type)).toEqual(eventData(d, names, machine));
  });

  it('give as octopus.event example what the documented delivery shape becomes for another category', () => {
    const raw = body('webhook-payload-single-event.docs-3.9-schema.json');
    Object.assign(raw.Payload.Event, {
      Category: 'TaskCanceled',
      Message: 'Canceled task Deploy Accounting Database release 10.33.210 to Prod',
      MessageReferences: [],
      RelatedDocumentIds: ['ServerTasks-318123', 'Deployments-15970', 'Projects-670', 'Environments-246'],
      UserId: 'Users-21',
      Username: 'jane.doe',
    });
    const d = delivery(raw);
    expect(deliveryEventType(d)).toBe('octopus.event');
    expect(example('octopus.event')).toEqual(eventData(d, { projectName: 'Accounting Database', environmentName: 'Prod' }));
  });

  it('declare every type a delivery can become, each once', () => {
    const types = OCTOPUS_EVENTS.map((e) => e.type);
    expect(new Set(types).size).toBe(types.length);
    const categories = ['DeploymentQueued', 'DeploymentStarted', 'DeploymentSucceeded', 'DeploymentFailed', 'ReleaseCreated'];
    categories.push('MachineAdded', 'MachineDeleted', 'MachineHealthy', 'MachineUnhealthy', 'MachineUnavailable', 'MachineHasWarnings');
    categories.push('Modified', 'TaskCanceled');
    for (const category of categories) for (const type of eventTypesOfCategory(category)) expect(types).toContain(type);
  });
});
