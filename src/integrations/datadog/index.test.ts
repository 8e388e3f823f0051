import { Value } from 'typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileTrigger } from '../../core/reactions/matching.js';
import type { ConnectionWithSecrets } from '../../core/connection.js';
import { DATADOG_API_KEY, DatadogStandIn } from './stand-in.test-support.js';
import { createHttpClient } from '../../actions/http/client.js';
import { connectionOf, expectDescribed, failedDeploy, renderStep, validReaction } from '../integration.test-support.js';
import { datadogAccount } from './client.js';
import { datadogConnection } from './index.js';

const dd = new DatadogStandIn();
const http = createHttpClient({ allowHosts: ['127.0.0.1'] });
const signal = new AbortController().signal;
const connection = (config: Record<string, unknown>, apiKey = DATADOG_API_KEY): ConnectionWithSecrets =>
  connectionOf('datadog', 'datadog', config, { apiKey }, 'c-dd');

beforeAll(() => dd.start());
afterAll(async () => {
  await http.close();
  await dd.close();
});

describe('datadog connection', () => {
  it('derives the API host from the site, default datadoghq.com', () => {
    expect(datadogAccount(connection({})).baseUrl).toBe('https://api.datadoghq.com');
    expect(datadogAccount(connection({ site: 'datadoghq.eu' })).baseUrl).toBe('https://api.datadoghq.eu');
    expect(datadogAccount(connection({ site: 'us3.datadoghq.com' })).baseUrl).toBe('https://api.us3.datadoghq.com');
    expect(Value.Check(datadogConnection.config, { site: 'https://evil.example/x' })).toBe(false);
  });

  it('is ready when GET /api/v1/validate accepts the key', async () => {
    expect(await datadogConnection.test(connection({ site: 'datadoghq.eu', apiUrl: dd.url }), http, signal)).toEqual({
      status: 'ready',
      details: { site: 'datadoghq.eu' },
    });
    expect(dd.requests.at(-1)).toMatchObject({ method: 'GET', path: '/api/v1/validate', headers: { 'dd-api-key': DATADOG_API_KEY } });
  });

  it("reports Datadog's answer to a bad key", async () => {
    expect(await datadogConnection.test(connection({ apiUrl: dd.url }, 'wrong'), http, signal)).toEqual({
      status: 'error',
      error: 'Datadog GET /api/v1/validate answered 403: Forbidden',
    });
  });
});

describe('the datadog manifest', () => {
  it('describes every connection field and refuses unknown ones', () => {
    expectDescribed([datadogConnection.config, datadogConnection.secrets]);
    expect(datadogConnection.actions.map((a) => a.name)).toEqual(['datadog.markDeployment']);
    expect(Object.keys((datadogConnection.actions[0]!.config as { properties: object }).properties)[0]).toBe('connection');
  });

  it('ships datadog-deployment-on-deploy: valid as written, for successful deploys, needing only the connection', () => {
    const [template] = datadogConnection.templates!;
    expect(template!.name).toBe('datadog-deployment-on-deploy');
    const spec = validReaction(datadogConnection, template!.yaml);
    const event = failedDeploy();
    const succeeded = { ...event, data: { ...(event.data as object), status: 'succeeded' } };
    expect(compileTrigger(spec.on, [])(succeeded)).toBe(true);
    expect(compileTrigger(spec.on, [])(event)).toBe(false);
    const rendered = renderStep(spec, succeeded);
    expect(rendered).toEqual({ connection: 'datadog' });
    expect([...Value.Errors(datadogConnection.actions[0]!.config, rendered)]).toEqual([]);
  });
});
