import { describe, expect, it } from 'vitest';
import { validateReaction } from './document.js';
import { compileTrigger } from './matching.js';
import { Type } from 'typebox';
import type { ConnectionType } from '../../integrations/connection-type.js';
import { OctopusTrigger } from '../../integrations/octopus/trigger.js';
import { refusal } from './refusal.js';
import { triggerDeclarations, type TriggerMatch } from './source-trigger.js';

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
      problems: ['on.tenant: unknown key; "on" has event, schedule, filter, if, connection, categories, project, environment'],
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
    const test = compileTrigger(result.reaction.on, ctx.triggers);
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

describe('options any connection type declares', () => {
  // A provider core knows nothing of: its declaration alone says what `on:` may carry and how it matches.
  const acme = {
    type: 'acme',
    trigger: Type.Object(
      {
        stages: Type.Optional(
          Type.Array(Type.String(), {
            minItems: 1,
            description: 'release stages',
            match: { oneOf: 'stage', defaults: { 'acme.release.*': ['shipped'] } } satisfies TriggerMatch,
          }),
        ),
        team: Type.Optional(Type.String({ description: 'a team, by name or id', match: { idField: 'teamId', nameField: 'teamName' } })),
        region: Type.Optional(Type.String({ description: 'a region, with no match declared' })),
      },
      { additionalProperties: false },
    ),
  } satisfies Pick<ConnectionType, 'type' | 'trigger'>;
  const triggers = triggerDeclarations([acme, { type: 'slack' }]);
  const acmeCtx = { ...ctx, triggers };
  const data = { stage: 'shipped', teamId: 'T-7', teamName: 'Payments' };

  const compiled = (on: Record<string, unknown>) => {
    const result = validateReaction(doc(on), acmeCtx);
    if (!result.ok) throw new Error(result.problems.join());
    return { spec: result.reaction, test: compileTrigger(result.reaction.on, triggers) };
  };

  it('validates and matches them: a list by a data field, one thing by id or name in any case, a default per event', () => {
    const { test } = compiled({ event: 'acme.release.*', connection: 'main', team: 'payments' });
    expect(test(event('acme.release.done', 'connection:main', data))).toBe(true);
    expect(test(event('acme.release.done', 'connection:main', { ...data, teamName: 'PAYMENTS', teamId: 'T-1' }))).toBe(true);
    expect(test(event('acme.release.done', 'connection:main', { ...data, teamId: 'T-1', teamName: 'Web' }))).toBe(false);
    // The declared default for acme.release.*: shipped only.
    expect(test(event('acme.release.done', 'connection:main', { ...data, stage: 'started' }))).toBe(false);
    expect(test(event('acme.release.done', 'connection:other', data))).toBe(false);

    const staged = compiled({ event: 'acme.release.*', stages: ['started', 'shipped'] }).test;
    expect(staged(event('acme.release.done', 'connection:main', { ...data, stage: 'started' }))).toBe(true);
    expect(staged(event('acme.release.done', 'connection:main', { ...data, stage: 'failed' }))).toBe(false);
    // No default for other event globs: every stage.
    expect(compiled({ event: 'acme.*', team: 'T-7' }).test(event('acme.release.done', 'connection:main', { ...data, stage: 'x' }))).toBe(
      true,
    );
    expect(validateReaction(doc({ event: 'deploy.recorded', team: 'T-7' }), acmeCtx)).toEqual({
      ok: false,
      problems: ['on.team: only applies to acme.* events'],
    });
  });

  it('says which option refused, defaults included; an option with no declared match matches nothing', () => {
    const { spec } = compiled({ event: 'acme.release.*', team: 'payments' });
    expect(refusal(spec, event('acme.release.done', 'connection:main', { ...data, stage: 'started' }), triggers)).toEqual({
      reason: 'on.stages accepts "shipped" (the default for acme.release.*), but the event has stage "started"',
      refusedBy: { part: 'trigger', key: 'stages', expected: ['shipped'], actual: { stage: 'started' } },
    });
    expect(refusal(spec, event('acme.release.done', 'connection:main', data), triggers)).toBeNull();
    const { spec: regional, test } = compiled({ event: 'acme.*', region: 'eu' });
    expect(test(event('acme.release.done', 'connection:main', { ...data, region: 'eu' }))).toBe(false);
    expect(refusal(regional, event('acme.release.done', 'connection:main', data), triggers)).toEqual({
      reason: 'on.region accepts "eu", but no connection type says how to match on.region, so it matches no event',
      refusedBy: { part: 'trigger', key: 'region', expected: 'eu' },
    });
  });

  it('matches stored options only with the declarations: without them an option matches nothing', () => {
    const { spec } = compiled({ event: 'acme.*', team: 'T-7' });
    expect(compileTrigger(spec.on, [])(event('acme.release.done', 'connection:main', data))).toBe(false);
  });
});
