import { describe, expect, it } from 'vitest';
import { validateReaction } from './document.js';
import { compileTrigger } from './matching.js';
import { OctopusTrigger } from '../../integrations/octopus/trigger.js';

// The options Octopus declares for its events, as the server passes every connection type's.
const ctx = { actions: new Map([['log', { channels: ['success', 'failed'] }]]), triggers: [{ type: 'octopus', schema: OctopusTrigger }] };
const doc = (on: Record<string, unknown>) => ({ name: 'octo', on, steps: { a: { uses: 'log' } } });
const event = (type: string, source: string, data: Record<string, unknown>) => ({ type, source, data });

describe('On Deployment Event options', () => {
  it('takes the options of a stored document as they are (they were checked when it was applied)', () => {
    const stored = validateReaction(doc({ event: 'octopus.deployment.*', categories: ['DeploymentFailed'], project: 'Web' }), {});
    expect(stored).toMatchObject({ ok: true, reaction: { on: { categories: ['DeploymentFailed'], project: 'Web' } } });
  });

  it('reads one category as a list of one, and refuses a key no connection type declares', () => {
    expect(validateReaction(doc({ event: 'octopus.event', categories: 'ReleaseCreated' }), ctx)).toMatchObject({
      ok: true,
      reaction: { on: { categories: ['ReleaseCreated'] } },
    });
    expect(validateReaction(doc({ event: 'octopus.event', tenant: 'Acme' }), ctx)).toEqual({
      ok: false,
      problems: ['on.tenant: unknown key; "on" has event, filter, if, connection, categories, project, environment'],
    });
  });

  it('accepts connection, categories, project and environment on octopus.* events', () => {
    const result = validateReaction(
      doc({
        event: 'octopus.deployment.*',
        connection: 'prod',
        categories: ['DeploymentFailed'],
        project: 'Web',
        environment: 'Environments-1',
      }),
      ctx,
    );
    expect(result).toMatchObject({
      ok: true,
      reaction: { on: { connection: 'prod', categories: ['DeploymentFailed'], project: 'Web', environment: 'Environments-1' } },
    });
  });

  it('refuses them elsewhere and with bad values, listing each', () => {
    const result = validateReaction(doc({ event: 'deploy.recorded', project: 'Web', categories: ['X'] }), ctx);
    expect(result).toEqual({
      ok: false,
      problems: ['on.categories: only applies to octopus.* events', 'on.project: only applies to octopus.* events'],
    });
    const bad = validateReaction(doc({ event: 'octopus.deployment.*', categories: 'not a category!', connection: 3 }), ctx);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.problems).toEqual([expect.stringMatching(/^on\.connection: /), expect.stringMatching(/^on\.categories: /)]);
  });

  it('matches the connection by source, categories (default succeeded/failed), project and environment by name or id', () => {
    const result = validateReaction(
      doc({ event: 'octopus.deployment.*', connection: 'prod', project: 'web', environment: 'Environments-2' }),
      ctx,
    );
    if (!result.ok) throw new Error(result.problems.join());
    const test = compileTrigger(result.reaction.on);
    const data = {
      category: 'DeploymentSucceeded',
      projectId: 'Projects-1',
      projectName: 'Web',
      environmentId: 'Environments-2',
      environmentName: 'Production',
    };
    expect(test(event('octopus.deployment.succeeded', 'connection:prod', data))).toBe(true);
    expect(test(event('octopus.deployment.succeeded', 'connection:staging', data))).toBe(false);
    expect(test(event('octopus.deployment.started', 'connection:prod', { ...data, category: 'DeploymentStarted' }))).toBe(false);
    expect(test(event('octopus.deployment.succeeded', 'connection:prod', { ...data, projectId: 'Projects-9', projectName: 'Other' }))).toBe(
      false,
    );
    expect(test(event('octopus.deployment.succeeded', 'connection:prod', { ...data, environmentId: 'Environments-3' }))).toBe(false);
  });
});
