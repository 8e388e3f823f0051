import fs from 'node:fs';
import { Value } from 'typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseReactionText, validateReaction } from '../../core/reactions/document.js';
import { compileTrigger } from '../../core/reactions/matching.js';
import { renderValue } from '../../core/reactions/templates.js';
import type { ShiplineEvent } from '../../core/vocabulary.js';
import type { ConnectionWithSecrets } from '../../store/connections.js';
import { SENTRY_ORG, SENTRY_TOKEN, SentryStandIn } from '../../../test/support/stand-ins/sentry.js';
import { createHttpClient } from '../http/client.js';
import { sentryConnection } from './index.js';

const sentry = new SentryStandIn();
const http = createHttpClient({ allowHosts: ['127.0.0.1'] });
const signal = new AbortController().signal;
const connection = (authToken = SENTRY_TOKEN, organization = SENTRY_ORG): ConnectionWithSecrets => ({
  id: 'c-sentry', name: 'sentry', type: 'sentry', state: {}, endpointId: 'e', createdAt: '', updatedAt: '', config: { apiUrl: sentry.url, organization }, secrets: { authToken },
});

beforeAll(() => sentry.start());
afterAll(async () => {
  await http.close();
  await sentry.close();
});

describe('sentry connection test', () => {
  it('is ready when the organization answers', async () => {
    expect(await sentryConnection.test(connection(), http, signal)).toEqual({ status: 'ready', details: { organization: SENTRY_ORG, name: 'Acme' } });
    expect(sentry.requests.at(-1)).toMatchObject({ method: 'GET', path: `/api/0/organizations/${SENTRY_ORG}/`, headers: { authorization: `Bearer ${SENTRY_TOKEN}` } });
  });

  it('reports Sentry\'s answer to a bad token or an unknown organization', async () => {
    expect(await sentryConnection.test(connection('wrong'), http, signal)).toEqual({ status: 'error', error: `Sentry GET /api/0/organizations/${SENTRY_ORG}/ answered 401: Invalid token` });
    expect(await sentryConnection.test(connection(SENTRY_TOKEN, 'other'), http, signal)).toEqual({
      status: 'error',
      error: 'Sentry GET /api/0/organizations/other/ answered 404: The requested resource does not exist',
    });
  });
});

describe('the sentry manifest', () => {
  it('describes every connection field, with sentry.io as the default', () => {
    for (const schema of [sentryConnection.config, sentryConnection.secrets]) {
      const s = schema as { additionalProperties?: unknown; properties: Record<string, { description?: string }> };
      expect(s.additionalProperties).toBe(false);
      for (const [key, field] of Object.entries(s.properties)) expect(field.description, key).toMatch(/\w{3}/);
    }
    expect((sentryConnection.config as { properties: { apiUrl: { default: string } } }).properties.apiUrl.default).toBe('https://sentry.io');
    expect(Value.Check(sentryConnection.config, { project: 'api' })).toBe(false);
    expect(sentryConnection.actions.map((a) => a.name)).toEqual(['sentry.createDeploy']);
    expect(Object.keys((sentryConnection.actions[0]!.config as { properties: object }).properties)[0]).toBe('connection');
  });

  it('ships sentry-deploy-on-deploy: valid as written, for successful deploys, needing only the connection', () => {
    const [template] = sentryConnection.templates!;
    expect(template!.name).toBe('sentry-deploy-on-deploy');
    const parsed = parseReactionText(template!.yaml);
    if (!parsed.ok) throw new Error(parsed.problems.join('; '));
    const actions = new Map(sentryConnection.actions.map((a) => [a.name, { channels: a.channels, config: a.config }]));
    const validation = validateReaction(parsed.documents[0], { actions, secrets: new Set() });
    if (!validation.ok) throw new Error(validation.problems.join('; '));
    const spec = validation.reaction;
    const event = JSON.parse(fs.readFileSync(new URL('../email/fixtures/deploy-recorded-failed.json', import.meta.url), 'utf8')) as ShiplineEvent;
    const succeeded = { ...event, data: { ...(event.data as object), status: 'succeeded' } };
    expect(compileTrigger(spec.on)(succeeded)).toBe(true);
    expect(compileTrigger(spec.on)(event)).toBe(false);
    const rendered = renderValue(spec.steps[0]!.with, { event: succeeded, data: succeeded.data, steps: {}, secrets: {}, run: { id: 'r', reaction: spec.name, version: 1 } });
    expect(rendered).toEqual({ connection: 'sentry' });
    expect([...Value.Errors(sentryConnection.actions[0]!.config, rendered)]).toEqual([]);
  });
});
