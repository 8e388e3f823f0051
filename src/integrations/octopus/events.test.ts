import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OCTOPUS_EVENTS } from './events.js';
import { eventData, eventTypeOf, parseDelivery } from './payload.js';

const delivery = (name: string) => {
  const parsed = parseDelivery(JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')));
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.delivery;
};
const example = (type: string) => OCTOPUS_EVENTS.find((e) => e.type === type)?.example;

describe('the events Octopus declares', () => {
  it.each([
    ['webhook-payload-deployment-started.2019.octopus-blog.json', 'Accounting Database', 'Prod', '10.33.210'],
    ['webhook-payload-deployment-succeeded.2016.azure-function-comment.json', 'NATCH Sandbox', 'Production', '1.0.7834.7'],
    ['webhook-payload-deployment-failed.OctopusSubscriptionListener.json', 'Argo CD Octopub', 'Development', '0.1.178'],
  ])('give as example what fixtures/%s becomes', (fixture, projectName, environmentName, releaseVersion) => {
    const d = delivery(fixture);
    expect(example(eventTypeOf(d.category))).toEqual(eventData(d, { projectName, environmentName, releaseVersion }));
  });

  it('declare every type a delivery can become, each once', () => {
    const types = OCTOPUS_EVENTS.map((e) => e.type);
    expect(new Set(types).size).toBe(types.length);
    for (const category of ['DeploymentQueued', 'DeploymentStarted', 'DeploymentSucceeded', 'DeploymentFailed', 'ReleaseCreated'])
      expect(types).toContain(eventTypeOf(category));
  });
});
