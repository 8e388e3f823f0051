import { describe, expect, it } from 'vitest';
import { Budget } from './budget.js';
import { validateReaction } from './document.js';
import { compileTrigger } from './matching.js';
import { refusal, type MatchedEvent } from './refusal.js';
import { OctopusTrigger } from '../../integrations/octopus/trigger.js';

// Each part of a trigger that can refuse an event is named, with what it compared.
const triggers = [{ type: 'octopus', schema: OctopusTrigger }];
const ctx = { actions: new Map([['log', { channels: ['success', 'failed'] }]]), triggers };
const specOf = (document: Record<string, unknown>) => {
  const result = validateReaction({ name: 'watch', steps: { a: { uses: 'log' } }, ...document }, ctx);
  if (!result.ok) throw new Error(result.problems.join('; '));
  return result.reaction;
};
const deploy = (data: Record<string, unknown>): MatchedEvent => ({ type: 'deploy.recorded', source: 'deploy-endpoint:ci', data });
const production = { serviceAlias: 'cart', environment: 'Production', deployNumber: 234, tags: ['eu', 'blue'] };

describe('refusal', () => {
  it('is null when the reaction would start, exactly when the compiled trigger matches', () => {
    const spec = specOf({
      on: { event: 'deploy.*', filter: { environment: 'Production', deployNumber: '234' }, if: 'data.serviceAlias == "cart"' },
    });
    const events = [deploy(production), deploy({ ...production, environment: 'Staging' }), deploy({ ...production, serviceAlias: 'web' })];
    for (const event of events) expect(refusal(spec, event, triggers) === null).toBe(compileTrigger(spec.on, triggers)(event));
    expect(refusal(spec, events[0]!, triggers)).toBeNull();
  });

  it('names the reaction switched off, and an event type it does not listen to', () => {
    expect(refusal(specOf({ enabled: false, on: { event: 'deploy.recorded' } }), deploy(production), triggers)).toEqual({
      reason: 'the reaction is disabled',
      refusedBy: { part: 'disabled' },
    });
    expect(refusal(specOf({ on: { event: 'octopus.deployment.*' } }), deploy(production), triggers)).toEqual({
      reason: 'event type deploy.recorded does not match octopus.deployment.*',
      refusedBy: { part: 'event', expected: 'octopus.deployment.*', actual: 'deploy.recorded' },
    });
    expect(refusal(specOf({ on: { event: 'run.*' } }), { type: 'run.succeeded', data: { reaction: 'watch' } }, triggers)).toEqual({
      reason: "the event is the end of one of this reaction's own runs",
      refusedBy: { part: 'own-run' },
    });
  });

  it('names the first filter key that refused, with the values it accepts and what the event holds', () => {
    const spec = specOf({ on: { event: 'deploy.recorded', filter: { serviceAlias: 'cart', environment: ['Production', 'Staging'] } } });
    expect(refusal(spec, deploy({ ...production, environment: 'Test' }), triggers)).toEqual({
      reason: 'on.filter.environment accepts "Production" or "Staging", but the event has environment "Test"',
      refusedBy: { part: 'filter', key: 'environment', expected: ['Production', 'Staging'], actual: 'Test' },
    });
    // In the document's order: the service refuses first.
    expect(refusal(spec, deploy({ ...production, serviceAlias: 'web', environment: 'Test' }), triggers)?.refusedBy).toMatchObject({
      key: 'serviceAlias',
      actual: 'web',
    });
  });

  it('says when the event lacks the field, and shows numbers, lists and nested paths as they are', () => {
    const absent = refusal(
      specOf({ on: { event: 'deploy.recorded', filter: { 'deployer.email': 'a@example.com' } } }),
      deploy(production),
      triggers,
    );
    expect(absent).toEqual({
      reason: 'on.filter.deployer.email accepts "a@example.com", but the event has no deployer.email',
      refusedBy: { part: 'filter', key: 'deployer.email', expected: ['a@example.com'] },
    });
    const tagged = refusal(
      specOf({ on: { event: 'deploy.recorded', filter: { tags: 'us', deployNumber: 234 } } }),
      deploy(production),
      triggers,
    );
    expect(tagged).toEqual({
      reason: 'on.filter.tags accepts "us", but the event has tags ["eu","blue"]',
      refusedBy: { part: 'filter', key: 'tags', expected: ['us'], actual: ['eu', 'blue'] },
    });
    const numbered = refusal(
      specOf({ on: { event: 'deploy.recorded', filter: { deployNumber: [233, null] } } }),
      deploy(production),
      triggers,
    );
    expect(numbered?.reason).toBe('on.filter.deployNumber accepts 233 or null, but the event has deployNumber 234');
  });

  it('bounds what it shows of a large value', () => {
    const spec = specOf({ on: { event: 'deploy.recorded', filter: { commit: 'abc', description: 'short' } } });
    const commit = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`field${i}`, { deep: { deeper: 'x'.repeat(1000) } }]));
    const big = refusal(spec, deploy({ commit }), triggers)!;
    expect(big.refusedBy.actual).toMatchObject({ field0: { deep: '…' }, '…': '…' });
    expect(Object.keys(big.refusedBy.actual as object)).toHaveLength(11);
    expect(big.reason.length).toBeLessThan(250);
    const long = refusal(spec, deploy({ commit: 'abc', description: 'y'.repeat(10_000) }), triggers)!;
    expect(long.refusedBy.actual).toBe(`${'y'.repeat(200)}…`);
    expect(long.reason.length).toBeLessThan(250);
  });

  it('names a scheduled reaction given an event that is not its tick', () => {
    const spec = specOf({ on: { schedule: { cron: '0 9 * * *' } } });
    expect(refusal(spec, { type: 'schedule.fired', source: 'schedule:other', data: { reaction: 'other' } }, triggers)).toEqual({
      reason: "the event is not a tick of this reaction's schedule",
      refusedBy: { part: 'schedule' },
    });
  });

  describe('the trigger options: which of connection, categories, project and environment refused', () => {
    const spec = specOf({ on: { event: 'octopus.deployment.*', connection: 'prod', project: 'Web', environment: 'Production' } });
    const octopus = {
      category: 'DeploymentSucceeded',
      projectId: 'Projects-1',
      projectName: 'Web',
      environmentId: 'Environments-2',
      environmentName: 'Production',
    };
    const event = (source: string, data: Record<string, unknown>): MatchedEvent => ({ type: 'octopus.deployment.succeeded', source, data });

    it('matches when all agree', () => {
      expect(refusal(spec, event('connection:prod', octopus), triggers)).toBeNull();
    });

    it('names the connection, with the source the event came from', () => {
      expect(refusal(spec, event('connection:staging', octopus), triggers)).toEqual({
        reason: 'on.connection is "prod", but the event came from "connection:staging"',
        refusedBy: { part: 'trigger', key: 'connection', expected: 'prod', actual: 'connection:staging' },
      });
    });

    it('names the categories, left out and so the default, with the category the event has', () => {
      expect(refusal(spec, event('connection:prod', { ...octopus, category: 'DeploymentStarted' }), triggers)).toEqual({
        reason:
          'on.categories accepts "DeploymentSucceeded" or "DeploymentFailed" (the default for octopus.deployment.*), but the event has category "DeploymentStarted"',
        refusedBy: {
          part: 'trigger',
          key: 'categories',
          expected: ['DeploymentSucceeded', 'DeploymentFailed'],
          actual: { category: 'DeploymentStarted' },
        },
      });
    });

    it('names the project, with the id and the name it compared', () => {
      expect(refusal(spec, event('connection:prod', { ...octopus, projectId: 'Projects-9', projectName: 'Cart' }), triggers)).toEqual({
        reason: 'on.project accepts "Web", but the event has projectId "Projects-9" and projectName "Cart"',
        refusedBy: { part: 'trigger', key: 'project', expected: 'Web', actual: { projectId: 'Projects-9', projectName: 'Cart' } },
      });
    });

    it('names the environment, even when the event has none', () => {
      const without = { category: octopus.category, projectId: octopus.projectId, projectName: octopus.projectName };
      expect(refusal(spec, event('connection:prod', without), triggers)).toEqual({
        reason: 'on.environment accepts "Production", but the event has no environmentId and no environmentName',
        refusedBy: { part: 'trigger', key: 'environment', expected: 'Production' },
      });
    });
  });

  it('names the condition, false or stopped', () => {
    const spec = specOf({ on: { event: 'deploy.recorded', if: 'data.deployNumber == 999' } });
    expect(refusal(spec, deploy(production), triggers)).toEqual({
      reason: 'the condition is false: data.deployNumber == 999',
      refusedBy: { part: 'condition', expected: 'data.deployNumber == 999' },
    });
    const slow = specOf({ on: { event: 'deploy.recorded', if: 'data.tags.all(t, t != "x")' } });
    const stopped = refusal(slow, deploy(production), triggers, new Budget('one dry run', { celSteps: 1 }));
    expect(stopped?.reason).toMatch(/^the condition was stopped: /);
    expect(stopped?.refusedBy).toEqual({ part: 'condition', expected: 'data.tags.all(t, t != "x")' });
  });
});
