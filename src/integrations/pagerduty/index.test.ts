import { Compile } from 'typebox/compile';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionInfo } from '../../core/reactions/document.js';
import { parseReactionText, validateReaction } from '../../core/reactions/document.js';
import type { ConnectionWithSecrets } from '../../core/connection.js';
import { startPagerDutyStandIn, STAND_IN_API_TOKEN, STAND_IN_ROUTING_KEY } from './stand-in.test-support.js';
import type { PagerDutyStandIn } from './stand-in.test-support.js';
import { createHttpClient } from '../../actions/http/client.js';
import { pagerdutyConnection, ROUTING_KEY_UNCHECKED } from './index.js';

let pd: PagerDutyStandIn;
const http = createHttpClient({ allowHosts: ['127.0.0.1'] });
const signal = new AbortController().signal;

const connection = (secrets: Record<string, string>, config: Record<string, unknown> = {}): ConnectionWithSecrets => ({
  id: 'c1',
  name: 'pagerduty',
  type: 'pagerduty',
  config: { eventsUrl: pd.url, apiUrl: pd.url, ...config },
  secrets,
  state: {},
  endpointId: 'e',
  createdAt: '',
  updatedAt: '',
});

beforeAll(async () => {
  pd = await startPagerDutyStandIn();
});
afterAll(async () => {
  await http.close();
  await pd.close();
});

describe('the PagerDuty connection type', () => {
  it('declares closed, documented config and secrets schemas', () => {
    expect(pagerdutyConnection.type).toBe('pagerduty');
    const config = Compile(pagerdutyConnection.config);
    expect(config.Check({})).toBe(true);
    expect(config.Check({ eventsUrl: 'https://events.eu.pagerduty.com', apiUrl: 'https://api.eu.pagerduty.com' })).toBe(true);
    expect(config.Check({ eventsUrl: 'not a url' })).toBe(false);
    expect(config.Check({ other: 1 })).toBe(false);
    const secrets = Compile(pagerdutyConnection.secrets);
    expect(secrets.Check({ routingKey: STAND_IN_ROUTING_KEY })).toBe(true);
    expect(secrets.Check({ routingKey: STAND_IN_ROUTING_KEY, apiToken: 't', webhookSecret: 's' })).toBe(true);
    expect(secrets.Check({})).toBe(false);
    expect(secrets.Check({ routingKey: 'k', other: 'x' })).toBe(false);
    for (const schema of [pagerdutyConnection.config, pagerdutyConnection.secrets]) {
      for (const [name, field] of Object.entries(
        (schema as unknown as { properties: Record<string, { description?: string }> }).properties,
      )) {
        expect(field.description, name).toBeTruthy();
      }
    }
  });

  it('names its actions with its prefix, a connection field first, and an example output', () => {
    expect(pagerdutyConnection.actions.map((a) => a.name)).toEqual(['pagerduty.event', 'pagerduty.changeEvent']);
    for (const action of pagerdutyConnection.actions) {
      expect(action.channels).toEqual(expect.arrayContaining(['success', 'failed']));
      expect(action.exampleOutput).toBeDefined();
      const properties = (
        action.config as unknown as { properties: Record<string, { description?: string }>; additionalProperties: boolean }
      ).properties;
      expect(Object.keys(properties)[0]).toBe('connection');
      expect(properties.connection?.description).toBe('The PagerDuty connection (name)');
      expect((action.config as unknown as { additionalProperties: boolean }).additionalProperties).toBe(false);
    }
  });

  it('is ready with only a routing key of the right form, saying it could not be checked', async () => {
    const count = pd.requests.length;
    const check = await pagerdutyConnection.test(connection({ routingKey: STAND_IN_ROUTING_KEY }), http, signal);
    expect(check).toEqual({
      status: 'ready',
      details: { routingKey: ROUTING_KEY_UNCHECKED, webhooks: 'no signing secret: webhooks are refused' },
    });
    expect(pd.requests).toHaveLength(count); // no event was sent to find out
  });

  it("is an error when the routing key cannot be one, in PagerDuty's words", async () => {
    const check = await pagerdutyConnection.test(connection({ routingKey: 'R0-short' }), http, signal);
    expect(check.status).toBe('error');
    expect(check.error).toBe(
      "Length of 'routing_key' is incorrect (should be 32 characters) 'routing_key' cannot contain non-alphanumeric characters.",
    );
  });

  it('checks an API token with GET /abilities', async () => {
    const check = await pagerdutyConnection.test(
      connection({ routingKey: STAND_IN_ROUTING_KEY, apiToken: STAND_IN_API_TOKEN, webhookSecret: 's' }),
      http,
      signal,
    );
    expect(check).toEqual({
      status: 'ready',
      details: { routingKey: ROUTING_KEY_UNCHECKED, webhooks: 'signing secret stored', apiToken: 'valid', abilities: 3 },
    });
    const request = pd.requests.at(-1)!;
    expect(request.method).toBe('GET');
    expect(request.url).toBe('/abilities');
    expect(request.headers.authorization).toBe(`Token token=${STAND_IN_API_TOKEN}`);
    expect(request.headers.accept).toBe('application/vnd.pagerduty+json;version=2');
  });

  it("reports PagerDuty's message for a bad API token, and an unreachable API, without throwing", async () => {
    const bad = await pagerdutyConnection.test(connection({ routingKey: STAND_IN_ROUTING_KEY, apiToken: 'wrong' }), http, signal);
    expect(bad.status).toBe('error');
    expect(bad.error).toBe('PagerDuty REST API: Authentication failed (HTTP 401)');
    const down = await pagerdutyConnection.test(
      connection({ routingKey: STAND_IN_ROUTING_KEY, apiToken: 'x' }, { apiUrl: 'http://127.0.0.1:1' }),
      http,
      signal,
    );
    expect(down.status).toBe('error');
    expect(down.error).toMatch(/^PagerDuty REST API: /);
  });
});

describe('PagerDuty templates', () => {
  const actions = new Map<string, ActionInfo>(pagerdutyConnection.actions.map((a) => [a.name, a]));

  it.each(pagerdutyConnection.templates!.map((t) => [t.name, t] as const))('%s is valid as written', (name, template) => {
    const parsed = parseReactionText(template.yaml);
    if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
    expect(parsed.documents.length).toBeGreaterThan(0);
    expect((parsed.documents[0] as { name: string }).name).toBe(name);
    for (const document of parsed.documents) {
      const result = validateReaction(document, { actions, secrets: new Set() });
      if (!result.ok) throw new Error(result.problems.join('\n'));
    }
  });

  it('trigger on both kinds of failed deploy and resolve on both kinds of success', () => {
    const specs = (name: string) => {
      const parsed = parseReactionText(pagerdutyConnection.templates!.find((t) => t.name === name)!.yaml);
      if (!parsed.ok) throw new Error('unparsable');
      return parsed.documents.map((d) => {
        const result = validateReaction(d, { actions });
        if (!result.ok) throw new Error(result.problems.join('\n'));
        return result.reaction;
      });
    };
    const failure = specs('pagerduty-on-deploy-failure');
    expect(failure.map((r) => [r.on.event, r.on.filter, r.on.categories])).toEqual([
      ['deploy.recorded', { status: ['failed'] }, undefined],
      ['octopus.deployment.*', {}, ['DeploymentFailed']],
    ]);
    expect(failure.every((r) => r.steps[0]?.uses === 'pagerduty.event' && r.steps[0].with.action === 'trigger')).toBe(true);
    const success = specs('pagerduty-resolve-on-success');
    expect(success.map((r) => [r.on.event, r.on.filter, r.on.categories])).toEqual([
      ['deploy.recorded', { status: ['succeeded'] }, undefined],
      ['octopus.deployment.*', {}, ['DeploymentSucceeded']],
    ]);
    expect(success.every((r) => r.steps[0]?.with.action === 'resolve' && r.steps[0].with.dedup_key === undefined)).toBe(true);
  });
});
