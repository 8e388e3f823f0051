import { afterAll, describe, expect, it } from 'vitest';
import type { ActionInfo } from '../../core/reactions/document.js';
import { parseReactionText, validateReaction } from '../../core/reactions/document.js';
import { createHttpClient } from '../../actions/http/client.js';
import { connectionOf } from '../integration.test-support.js';
import { teamsConnection } from './index.js';

// The check must not contact anything: a client that may reach no private host, and no server.
const http = createHttpClient({ allowHosts: [] });
const signal = new AbortController().signal;
afterAll(() => http.close());

const check = (webhookUrl: string) => teamsConnection.test(connectionOf('teams', 'teams', {}, { webhookUrl }), http, signal);

describe('the Teams connection test', () => {
  it('recognises a Workflows URL without posting', async () => {
    const result = await check(
      'https://prod-12.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=s3cr3t',
    );
    expect(result).toEqual({
      status: 'ready',
      details: { kind: 'workflows', host: 'prod-12.westeurope.logic.azure.com', note: expect.stringMatching(/Not contacted/) },
    });
    expect(JSON.stringify(result)).not.toContain('s3cr3t');
  });

  it('recognises Power Platform Workflows URLs, and warns when the signature is missing', async () => {
    const result = await check(
      'https://default1234.environment.api.powerplatform.com/powerautomate/automations/direct/workflows/abc/triggers/manual/paths/invoke?api-version=1',
    );
    expect(result.status).toBe('ready');
    expect(result.details).toMatchObject({ kind: 'workflows', warning: expect.stringMatching(/no sig= parameter/) });
  });

  it('warns that webhook.office.com connector URLs are being retired', async () => {
    const result = await check('https://acme.webhook.office.com/webhookb2/1111@2222/IncomingWebhook/abc/3333');
    expect(result.status).toBe('ready');
    expect(result.details).toMatchObject({
      kind: 'legacy-connector',
      host: 'acme.webhook.office.com',
      warning: expect.stringMatching(/retiring connectors.*Workflows/),
    });
  });

  it('reports an unusable URL as an error', async () => {
    expect(await check('not a url')).toEqual({ status: 'error', error: expect.stringMatching(/not a URL/) });
    expect(await check('ftp://example.com/hook')).toEqual({ status: 'error', error: expect.stringMatching(/https URL/) });
  });
});

type ObjectSchema = { type: string; additionalProperties: boolean; properties: Record<string, { description?: string }> };

describe('the Teams manifest', () => {
  it('describes every field and refuses unknown ones', () => {
    for (const schema of [
      teamsConnection.config,
      teamsConnection.secrets,
      ...teamsConnection.actions.map((a) => a.config),
    ] as ObjectSchema[]) {
      expect(schema.type).toBe('object');
      expect(schema.additionalProperties).toBe(false);
      for (const [name, property] of Object.entries(schema.properties)) expect(property.description, name).toBeTruthy();
    }
    const [action] = teamsConnection.actions;
    expect(action!.name).toBe('teams.postMessage');
    expect(Object.keys((action!.config as ObjectSchema).properties)[0]).toBe('connection');
    expect((action!.config as ObjectSchema).properties.connection!.description).toBe('The Microsoft Teams connection (name)');
  });

  it('ships templates that are valid reactions as they are', () => {
    const actions = new Map<string, ActionInfo>(teamsConnection.actions.map((a) => [a.name, { channels: a.channels, config: a.config }]));
    expect((teamsConnection.templates ?? []).map((t) => t.name)).toEqual(['teams-on-deploy']);
    for (const template of teamsConnection.templates ?? []) {
      const parsed = parseReactionText(template.yaml);
      if (!parsed.ok) throw new Error(parsed.problems.join('; '));
      const validation = validateReaction(parsed.documents[0], { actions, secrets: new Set() });
      expect(validation.ok ? [] : validation.problems).toEqual([]);
      if (validation.ok) expect(validation.reaction.name).toBe(template.name);
    }
  });
});
