import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SlackStandIn } from './stand-in.test-support.js';
import type { ActionInfo } from '../../core/reactions/document.js';
import { parseReactionText, validateReaction } from '../../core/reactions/document.js';
import { createHttpClient } from '../../actions/http/client.js';
import { slackConnection } from './index.js';
import { connectionOf } from '../integration.test-support.js';

const slack = new SlackStandIn();
const http = createHttpClient({ allowHosts: ['127.0.0.1'] });
const signal = new AbortController().signal;

beforeAll(async () => {
  await slack.start();
});
afterAll(async () => {
  await http.close();
  await slack.close();
});
beforeEach(() => slack.clear());

const bot = (token: string) => connectionOf('slack', 'slack', { apiUrl: slack.apiUrl }, { botToken: token });

describe('the Slack connection test', () => {
  it('calls auth.test with the bot token and reports the workspace', async () => {
    const check = await slackConnection.test(bot('xoxb-valid'), http, signal);
    expect(check).toEqual({
      status: 'ready',
      details: { mode: 'bot token', team: 'Acme', user: 'shipline', url: 'https://acme.slack.com/', teamId: 'T0001', botId: 'B0BOT' },
    });
    expect(slack.requests).toHaveLength(1);
    const [call] = slack.requests;
    expect(call!.method).toBe('POST');
    expect(call!.path).toBe('/api/auth.test');
    expect(call!.headers.authorization).toBe('Bearer xoxb-valid');
    expect(call!.raw.length).toBe(0);
  });

  it("reports Slack's error for a bad token instead of throwing", async () => {
    const check = await slackConnection.test(bot('xoxb-wrong'), http, signal);
    expect(check.status).toBe('error');
    expect(check.error).toMatch(/auth\.test: invalid_auth/);
  });

  it('reports rate limits and outages as errors too', async () => {
    slack.rateLimitNext(30);
    expect((await slackConnection.test(bot('xoxb-valid'), http, signal)).error).toMatch(/rate limited/);
    slack.failNext({ status: 500, body: 'oops' });
    expect((await slackConnection.test(bot('xoxb-valid'), http, signal)).error).toMatch(/HTTP 500/);
  });

  it('is ready without a call for a webhook-only connection, and says why', async () => {
    const check = await slackConnection.test(connectionOf('slack', 'hook', {}, { webhookUrl: slack.webhookUrl }), http, signal);
    expect(check.status).toBe('ready');
    expect(check.details).toMatchObject({ mode: 'incoming webhook', note: expect.stringMatching(/no call that posts nothing/) });
    expect(slack.requests).toHaveLength(0);
  });

  it('asks for a token or a webhook URL when there is neither', async () => {
    const check = await slackConnection.test(connectionOf('slack', 'none', {}, {}), http, signal);
    expect(check).toEqual({ status: 'error', error: expect.stringMatching(/neither a bot token.*nor an incoming-webhook URL/) });
  });
});

type ObjectSchema = {
  type: string;
  additionalProperties: boolean;
  properties: Record<string, { description?: string }>;
  required?: string[];
};

describe('the Slack manifest', () => {
  it('describes every field and refuses unknown ones', () => {
    for (const schema of [
      slackConnection.config,
      slackConnection.secrets,
      ...slackConnection.actions.map((a) => a.config),
    ] as ObjectSchema[]) {
      expect(schema.type).toBe('object');
      expect(schema.additionalProperties).toBe(false);
      for (const [name, property] of Object.entries(schema.properties)) expect(property.description, name).toBeTruthy();
    }
    expect(slackConnection.actions.map((a) => a.name)).toEqual(['slack.postMessage', 'slack.updateMessage']);
    for (const action of slackConnection.actions) {
      expect(Object.keys((action.config as ObjectSchema).properties)[0]).toBe('connection');
      expect((action.config as ObjectSchema).properties.connection!.description).toMatch(/^The Slack connection \(name\)/);
      expect(action.channels).toEqual(['success', 'failed']);
    }
  });

  it('ships templates that are valid reactions as they are', () => {
    const actions = new Map<string, ActionInfo>(slackConnection.actions.map((a) => [a.name, { channels: a.channels, config: a.config }]));
    const names: string[] = [];
    for (const template of slackConnection.templates ?? []) {
      const parsed = parseReactionText(template.yaml);
      expect(parsed.ok, template.name).toBe(true);
      if (!parsed.ok) continue;
      const validation = validateReaction(parsed.documents[0], { actions, secrets: new Set() });
      expect(validation.ok ? [] : validation.problems, template.name).toEqual([]);
      if (validation.ok) expect(validation.reaction.name).toBe(template.name);
      names.push(template.name);
    }
    expect(names).toEqual(['slack-on-production-failure', 'slack-deploy-progress']);
  });
});
