import { Value } from 'typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileTrigger } from '../../core/reactions/matching.js';
import type { ConnectionWithSecrets } from '../../core/connection.js';
import { SENTRY_ORG, SENTRY_TOKEN, SentryStandIn } from './stand-in.test-support.js';
import { createHttpClient } from '../../actions/http/client.js';
import { connectionOf, expectDescribed, failedDeploy, renderStep, validReaction } from '../integration.test-support.js';
import { sentryConnection } from './index.js';

const sentry = new SentryStandIn();
const http = createHttpClient({ allowHosts: ['127.0.0.1'] });
const signal = new AbortController().signal;
const connection = (authToken = SENTRY_TOKEN, organization = SENTRY_ORG): ConnectionWithSecrets =>
  connectionOf('sentry', 'sentry', { apiUrl: sentry.url, organization }, { authToken }, 'c-sentry');

beforeAll(() => sentry.start());
afterAll(async () => {
  await http.close();
  await sentry.close();
});

describe('sentry connection test', () => {
  it('is ready when the organization answers', async () => {
    expect(await sentryConnection.test(connection(), http, signal)).toEqual({
      status: 'ready',
      details: { organization: SENTRY_ORG, name: 'Acme' },
    });
    expect(sentry.requests.at(-1)).toMatchObject({
      method: 'GET',
      path: `/api/0/organizations/${SENTRY_ORG}/`,
      headers: { authorization: `Bearer ${SENTRY_TOKEN}` },
    });
  });

  it("reports Sentry's answer to a bad token or an unknown organization", async () => {
    expect(await sentryConnection.test(connection('wrong'), http, signal)).toEqual({
      status: 'error',
      error: `Sentry GET /api/0/organizations/${SENTRY_ORG}/ answered 401: Invalid token`,
    });
    expect(await sentryConnection.test(connection(SENTRY_TOKEN, 'other'), http, signal)).toEqual({
      status: 'error',
      error: 'Sentry GET /api/0/organizations/other/ answered 404: The requested resource does not exist',
    });
  });
});

describe('the sentry manifest', () => {
  it('describes every connection field, with sentry.io as the default', () => {
    expectDescribed([sentryConnection.config, sentryConnection.secrets]);
    expect((sentryConnection.config as { properties: { apiUrl: { default: string } } }).properties.apiUrl.default).toBe(
      'https://sentry.io',
    );
    expect(Value.Check(sentryConnection.config, { project: 'api' })).toBe(false);
    expect(sentryConnection.actions.map((a) => a.name)).toEqual(['sentry.createDeploy']);
    expect(Object.keys((sentryConnection.actions[0]!.config as { properties: object }).properties)[0]).toBe('connection');
  });

  it('ships sentry-deploy-on-deploy: valid as written, for successful deploys, needing only the connection', () => {
    const [template] = sentryConnection.templates!;
    expect(template!.name).toBe('sentry-deploy-on-deploy');
    const spec = validReaction(sentryConnection, template!.yaml);
    const event = failedDeploy();
    const succeeded = { ...event, data: { ...(event.data as object), status: 'succeeded' } };
    expect(compileTrigger(spec.on, [])(succeeded)).toBe(true);
    expect(compileTrigger(spec.on, [])(event)).toBe(false);
    const rendered = renderStep(spec, succeeded);
    expect(rendered).toEqual({ connection: 'sentry' });
    expect([...Value.Errors(sentryConnection.actions[0]!.config, rendered)]).toEqual([]);
  });
});
