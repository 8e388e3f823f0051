import { Value } from 'typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileTrigger } from '../../core/reactions/matching.js';
import type { ConnectionWithSecrets } from '../../core/connection.js';
import { NEWRELIC_KEY, NewRelicStandIn } from './stand-in.test-support.js';
import { createHttpClient } from '../../actions/http/client.js';
import { connectionOf, expectDescribed, failedDeploy, renderStep, validReaction } from '../integration.test-support.js';
import { newrelicConnection } from './index.js';

const nr = new NewRelicStandIn();
const http = createHttpClient({ allowHosts: ['127.0.0.1'] });
const signal = new AbortController().signal;
const connection = (apiKey = NEWRELIC_KEY): ConnectionWithSecrets =>
  connectionOf('newrelic', 'newrelic', { apiUrl: nr.apiUrl }, { apiKey }, 'c-nr');

beforeAll(() => nr.start());
afterAll(async () => {
  await http.close();
  await nr.close();
});

describe('newrelic connection test', () => {
  it('is ready when NerdGraph answers the actor query, showing the user', async () => {
    expect(await newrelicConnection.test(connection(), http, signal)).toEqual({
      status: 'ready',
      details: { name: 'Shipline Bot', email: 'bot@acme.com' },
    });
    const request = nr.requests.at(-1)!;
    expect(request.headers['api-key']).toBe(NEWRELIC_KEY);
    expect(request.json).toEqual({ query: '{ actor { user { name email } } }', variables: {} });
  });

  it("reports New Relic's answer to a bad key", async () => {
    expect(await newrelicConnection.test(connection('NRAK-WRONG'), http, signal)).toEqual({
      status: 'error',
      error: 'New Relic refused the API key: Invalid API key',
    });
  });
});

describe('the newrelic manifest', () => {
  it('describes every connection field, with the US endpoint as the default', () => {
    expectDescribed([newrelicConnection.config, newrelicConnection.secrets]);
    expect((newrelicConnection.config as { properties: { apiUrl: { default: string } } }).properties.apiUrl.default).toBe(
      'https://api.newrelic.com/graphql',
    );
    expect(Value.Check(newrelicConnection.config, { apiUrl: 'https://api.eu.newrelic.com/graphql' })).toBe(true);
    expect(newrelicConnection.actions.map((a) => a.name)).toEqual(['newrelic.markDeployment']);
    expect(Object.keys((newrelicConnection.actions[0]!.config as { properties: object }).properties)[0]).toBe('connection');
  });

  it('ships newrelic-marker-on-deploy: valid as written, for successful deploys, needing only the connection', () => {
    const [template] = newrelicConnection.templates!;
    expect(template!.name).toBe('newrelic-marker-on-deploy');
    const spec = validReaction(newrelicConnection, template!.yaml);
    const event = failedDeploy();
    const succeeded = { ...event, data: { ...(event.data as object), status: 'succeeded' } };
    expect(compileTrigger(spec.on, [])(succeeded)).toBe(true);
    expect(compileTrigger(spec.on, [])(event)).toBe(false);
    const rendered = renderStep(spec, succeeded);
    expect(rendered).toEqual({ connection: 'newrelic' });
    expect([...Value.Errors(newrelicConnection.actions[0]!.config, rendered)]).toEqual([]);
  });
});
