import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { compileTrigger } from '../../core/reactions/matching.js';
import { deployFailed, expectDescribed, failedDeploy, renderStep, validReaction } from '../integration.test-support.js';
import { emailConnection } from './index.js';

const failed = deployFailed();

describe('the email manifest', () => {
  it('describes every connection field and refuses unknown ones', () => {
    expectDescribed([emailConnection.config, emailConnection.secrets]);
    expect(Value.Check(emailConnection.config, { host: 'smtp.example.com', from: 'a@example.com' })).toBe(true);
    expect(Value.Check(emailConnection.config, { host: 'smtp.example.com', from: 'a@example.com', tls: true })).toBe(false);
  });

  it('names its actions with its type and gives each a connection field first', () => {
    for (const action of emailConnection.actions) {
      expect(action.name.startsWith('email.')).toBe(true);
      expect(Object.keys((action.config as { properties: object }).properties)[0]).toBe('connection');
      expect(action.channels).toContain('failed');
    }
  });

  it('ships email-on-production-failure: valid as written, triggered by a failed production deploy, rendering a valid step', () => {
    const [template] = emailConnection.templates!;
    expect(template!.name).toBe('email-on-production-failure');
    const spec = validReaction(emailConnection, template!.yaml);
    expect(spec.name).toBe(template!.name);
    const matches = compileTrigger(spec.on, []);
    expect(matches(failed)).toBe(true);
    // Every failure once: not again on the deploy.recorded stored beside it.
    expect(matches(failedDeploy())).toBe(false);
    expect(matches({ ...failed, data: { ...(failed.data as object), environment: 'staging' } })).toBe(false);

    const step = spec.steps[0]!;
    const action = emailConnection.actions.find((a) => a.name === step.uses)!;
    // A deploy of an alias no service claims: the template must not trip over the null service.
    const unclaimed = { ...failed, data: { ...(failed.data as object), service: null, commit: null } };
    for (const event of [failed, unclaimed]) {
      const rendered = renderStep(spec, event);
      expect([...Value.Errors(action.config, rendered)]).toEqual([]);
    }
    const rendered = renderStep(spec, failed);
    expect(rendered).toMatchObject({
      connection: 'email',
      subject: 'Deploy failed: api 1.4.2 to production',
      layout: 'deploy',
      text: 'Run 88 failed at step migrate',
    });
    const alias = renderStep(spec, unclaimed);
    expect(alias).toMatchObject({ subject: 'Deploy failed: acme-api 1.4.2 to production' });
  });
});
