import { describe, expect, it } from 'vitest';
import type { ReactionSpec } from '../../core/reactions/document.js';
import { asFilter, neededCategories } from './categories.js';

const spec = (on: Partial<ReactionSpec['on']> & { event: string }, enabled = true): ReactionSpec =>
  ({ name: 'r', description: null, enabled, on: { filter: {}, if: null, ...on }, concurrency: null, steps: [] }) as ReactionSpec;
const none = { trackDeploys: false, waiting: false };

describe('the categories an Octopus subscription carries', () => {
  it('defaults octopus.deployment.* to succeeded and failed, as the seed says', () => {
    expect(asFilter(neededCategories([spec({ event: 'octopus.deployment.*' })], 'prod', none))).toEqual([
      'DeploymentFailed',
      'DeploymentSucceeded',
    ]);
  });

  it('takes the categories a reaction names, and one event type its own category', () => {
    const specs = [
      spec({ event: 'octopus.deployment.*', categories: ['DeploymentQueued'] }),
      spec({ event: 'octopus.deployment.started' }),
    ];
    expect(asFilter(neededCategories(specs, 'prod', none))).toEqual(['DeploymentQueued', 'DeploymentStarted']);
  });

  it('takes octopus.event categories from categories or a filter; none named means every category', () => {
    expect(asFilter(neededCategories([spec({ event: 'octopus.event', categories: ['TaskCanceled'] })], 'prod', none))).toEqual([
      'TaskCanceled',
    ]);
    expect(asFilter(neededCategories([spec({ event: 'octopus.event', filter: { category: ['Login'] } })], 'prod', none))).toEqual([
      'Login',
    ]);
    // A category with a type of its own never becomes octopus.event.
    expect(asFilter(neededCategories([spec({ event: 'octopus.event', categories: ['ReleaseCreated'] })], 'prod', none))).toEqual([]);
    expect(neededCategories([spec({ event: 'octopus.*' })], 'prod', none)).toBe('all');
    expect(asFilter(neededCategories([spec({ event: '*' })], 'prod', none))).toEqual([]);
  });

  it('takes the categories each lifecycle event type becomes from, when none is named', () => {
    const of = (event: string) => asFilter(neededCategories([spec({ event })], 'prod', none));
    expect(of('octopus.machine.*')).toEqual([
      'MachineAdded',
      'MachineDeleted',
      'MachineHasWarnings',
      'MachineHealthy',
      'MachineUnavailable',
      'MachineUnhealthy',
    ]);
    expect(of('octopus.machine.health_changed')).toEqual([
      'MachineHasWarnings',
      'MachineHealthy',
      'MachineUnavailable',
      'MachineUnhealthy',
    ]);
    expect(of('octopus.machine.added')).toEqual(['MachineAdded']);
    expect(of('octopus.release.created')).toEqual(['ReleaseCreated']);
    expect(of('octopus.deployment_process.changed')).toEqual(['Modified']);
    expect(
      asFilter(neededCategories([spec({ event: 'octopus.machine.*', categories: ['MachineAdded', 'ReleaseCreated'] })], 'prod', none)),
    ).toEqual(['MachineAdded']);
  });

  it('ignores disabled reactions, other connections and other events', () => {
    const specs = [
      spec({ event: 'octopus.deployment.*' }, false),
      spec({ event: 'octopus.deployment.*', connection: 'staging' }),
      spec({ event: 'deploy.recorded' }),
    ];
    expect(neededCategories(specs, 'prod', none)).toEqual(new Set());
  });

  it('adds the four deployment categories for the catalog, and the finished ones while a step waits', () => {
    expect(asFilter(neededCategories([], 'prod', { trackDeploys: true, waiting: false }))).toEqual([
      'DeploymentFailed',
      'DeploymentQueued',
      'DeploymentStarted',
      'DeploymentSucceeded',
    ]);
    expect(asFilter(neededCategories([], 'prod', { trackDeploys: false, waiting: true }))).toEqual([
      'DeploymentFailed',
      'DeploymentSucceeded',
    ]);
  });
});
