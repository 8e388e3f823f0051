import fs from 'node:fs';
import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { parseReactionText, validateReaction } from '../../core/reactions/document.js';
import type { ReactionSpec } from '../../core/reactions/document.js';
import { compileTrigger } from '../../core/reactions/matching.js';
import { renderValue } from '../../core/reactions/templates.js';
import type { ShiplineEvent } from '../../core/vocabulary.js';
import { emailConnection } from './index.js';

const failed = JSON.parse(fs.readFileSync(new URL('./fixtures/deploy-recorded-failed.json', import.meta.url), 'utf8')) as ShiplineEvent;

function reaction(yaml: string): ReactionSpec {
  const parsed = parseReactionText(yaml);
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  const actions = new Map(emailConnection.actions.map((a) => [a.name, { channels: a.channels, config: a.config }]));
  const validation = validateReaction(parsed.documents[0], { actions, secrets: new Set() });
  if (!validation.ok) throw new Error(validation.problems.join('; '));
  return validation.reaction;
}

describe('the email manifest', () => {
  it('describes every connection field and refuses unknown ones', () => {
    for (const schema of [emailConnection.config, emailConnection.secrets]) {
      const s = schema as { additionalProperties?: unknown; properties: Record<string, { description?: string }> };
      expect(s.additionalProperties).toBe(false);
      for (const [key, field] of Object.entries(s.properties)) expect(field.description, key).toMatch(/\w{3}/);
    }
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
    const spec = reaction(template!.yaml);
    expect(spec.name).toBe(template!.name);
    const matches = compileTrigger(spec.on);
    expect(matches(failed)).toBe(true);
    expect(matches({ ...failed, data: { ...(failed.data as object), status: 'succeeded' } })).toBe(false);
    expect(matches({ ...failed, data: { ...(failed.data as object), environment: 'staging' } })).toBe(false);

    const step = spec.steps[0]!;
    const action = emailConnection.actions.find((a) => a.name === step.uses)!;
    // A deploy of an alias no service claims: the template must not trip over the null service.
    const unclaimed = { ...failed, data: { ...(failed.data as object), service: null, commit: null } };
    for (const event of [failed, unclaimed]) {
      const rendered = renderValue(step.with, { event, data: event.data, steps: {}, secrets: {}, run: { id: 'r', reaction: spec.name, version: 1 } });
      expect([...Value.Errors(action.config, rendered)]).toEqual([]);
    }
    const rendered = renderValue(step.with, { event: failed, data: failed.data, steps: {}, secrets: {}, run: { id: 'r', reaction: spec.name, version: 1 } });
    expect(rendered).toMatchObject({ connection: 'email', subject: 'Deploy failed: api 1.4.2 to production', layout: 'deploy', text: 'Run 88 failed at step migrate' });
    const alias = renderValue(step.with, { event: unclaimed, data: unclaimed.data, steps: {}, secrets: {}, run: { id: 'r', reaction: spec.name, version: 1 } });
    expect(alias).toMatchObject({ subject: 'Deploy failed: acme-api 1.4.2 to production' });
  });
});
