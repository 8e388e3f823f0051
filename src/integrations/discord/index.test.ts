import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Value } from 'typebox/value';
import { createHttpClient } from '../../actions/http/client.js';
import { connectionOf, deployFailed, expectDescribed, renderStep, validReaction } from '../integration.test-support.js';
import { deployRecorded } from '../slack/events.test-support.js';
import { discordConnection } from './index.js';
import { CHANNEL_ID, DiscordStandIn, fixture, WEBHOOK_ID, WEBHOOK_TOKEN } from './stand-in.test-support.js';
import { EXAMPLE_WEBHOOK_URL, parseWebhookUrl, webhookUrlProblem } from './webhook-url.js';

const discord = new DiscordStandIn();
const http = createHttpClient({ allowHosts: ['127.0.0.1'] });
const signal = new AbortController().signal;

beforeAll(async () => {
  await discord.start();
});
afterAll(async () => {
  await http.close();
  await discord.close();
});
beforeEach(() => discord.clear());

const check = (webhookUrl: string) => discordConnection.test(connectionOf('discord', 'discord', {}, { webhookUrl }), http, signal);

describe('the Discord connection test', () => {
  it('reads the webhook with its token (GET, nothing posted) and reports its channel, never the token', async () => {
    const result = await check(discord.webhookUrl());
    expect(result).toEqual({
      status: 'ready',
      details: {
        webhookId: WEBHOOK_ID,
        name: 'Deploys',
        channelId: CHANNEL_ID,
        guildId: '1168543420553097216',
        checked: expect.stringMatching(/token is valid.*incoming webhook.*nothing was posted/),
      },
    });
    expect(discord.requests).toHaveLength(1);
    const [call] = discord.requests;
    expect(call!.method).toBe('GET');
    expect(call!.path).toBe(`/api/webhooks/${WEBHOOK_ID}/${WEBHOOK_TOKEN}`);
    expect(call!.headers.authorization).toBeUndefined();
    expect(call!.raw.length).toBe(0);
    // Discord's answer carries the token: it must not reach the stored state.
    expect(fixture<{ token: string }>('get-webhook.ok.json').token).toBe(WEBHOOK_TOKEN);
    expect(JSON.stringify(result)).not.toContain(WEBHOOK_TOKEN);
  });

  it("reports Discord's error for a wrong token or a deleted webhook, without the token", async () => {
    const wrongToken = await check(discord.webhookUrl('x'.repeat(68)));
    expect(wrongToken).toEqual({
      status: 'error',
      error: expect.stringMatching(/HTTP 401: Invalid Webhook Token \(code 50027: .*copy the URL again\)/),
    });
    const deleted = await check(discord.webhookUrl(WEBHOOK_TOKEN, '1311776912384917000'));
    expect(deleted).toEqual({
      status: 'error',
      error: expect.stringMatching(/HTTP 404: Unknown Webhook \(code 10015: the webhook was deleted/),
    });
    expect(JSON.stringify([wrongToken, deleted])).not.toContain(WEBHOOK_TOKEN);
  });

  it('reports a rate limit or an outage as an error', async () => {
    discord.rateLimitNext();
    expect((await check(discord.webhookUrl())).error).toMatch(/HTTP 429: The resource is being rate limited\..*shared rate limit.*2374 ms/);
    discord.failNext({ status: 502, body: '<html>Bad Gateway</html>' });
    expect((await check(discord.webhookUrl())).error).toMatch(/HTTP 502: <html>Bad Gateway<\/html>; will retry/);
  });

  it('refuses a webhook that is not an incoming one', async () => {
    discord.failNext({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...fixture<object>('get-webhook.ok.json'), type: 3 }),
    });
    expect(await check(discord.webhookUrl())).toEqual({
      status: 'error',
      error: expect.stringMatching(/not an incoming webhook \(type 3\)/),
    });
  });

  it('contacts nothing when the URL is not a Discord webhook URL, and never echoes it', async () => {
    const result = await check('https://evil.example/api/webhooks/1311776912384917544/' + WEBHOOK_TOKEN);
    expect(result).toEqual({
      status: 'error',
      error: expect.stringMatching(/webhookUrl does not have the expected form \(e\.g\. https:\/\/discord\.com\/api\/webhooks\//),
    });
    expect(JSON.stringify(result)).not.toContain(WEBHOOK_TOKEN);
    expect(discord.requests).toHaveLength(0);
  });

  it('reaches a loopback stand-in only when the hosts allow list names it (the SSRF guard)', async () => {
    const guarded = createHttpClient({ allowHosts: [] });
    try {
      const result = await discordConnection.test(connectionOf('discord', 'd', {}, { webhookUrl: discord.webhookUrl() }), guarded, signal);
      expect(result).toEqual({ status: 'error', error: expect.stringMatching(/Refused to connect to 127\.0\.0\.1.*SHIPLINE_ALLOW_HOSTS/) });
      expect(result.error).not.toContain(WEBHOOK_TOKEN);
      expect(discord.requests).toHaveLength(0);
    } finally {
      await guarded.close();
    }
  });
});

describe('the webhook URL', () => {
  const secrets = (webhookUrl: string) => Value.Check(discordConnection.secrets, { webhookUrl });
  const token = WEBHOOK_TOKEN;

  it('accepts the URLs Discord hands out, and loopback stand-ins', () => {
    for (const url of [
      EXAMPLE_WEBHOOK_URL,
      `https://discord.com/api/webhooks/${WEBHOOK_ID}/${token}`,
      `https://discord.com/api/v10/webhooks/${WEBHOOK_ID}/${token}`,
      `https://discordapp.com/api/webhooks/${WEBHOOK_ID}/${token}`,
      `https://ptb.discord.com/api/webhooks/${WEBHOOK_ID}/${token}`,
      `https://canary.discord.com/api/webhooks/${WEBHOOK_ID}/${token}`,
      `http://127.0.0.1:4010/api/webhooks/${WEBHOOK_ID}/${token}`,
      `http://localhost:4010/api/webhooks/${WEBHOOK_ID}/${token}`,
    ]) {
      expect(webhookUrlProblem(url), url).toBeNull();
      expect(secrets(url), url).toBe(true);
    }
    expect(parseWebhookUrl(`https://discord.com/api/v10/webhooks/${WEBHOOK_ID}/${token}`)).toEqual({
      url: `https://discord.com/api/v10/webhooks/${WEBHOOK_ID}/${token}`,
      id: WEBHOOK_ID,
      token,
    });
  });

  it('refuses anything else: plain http to Discord, other hosts, other paths, queries', () => {
    for (const url of [
      `http://discord.com/api/webhooks/${WEBHOOK_ID}/${token}`,
      `https://discord.com.evil.example/api/webhooks/${WEBHOOK_ID}/${token}`,
      `https://evil.example/api/webhooks/${WEBHOOK_ID}/${token}`,
      `https://10.0.0.5/api/webhooks/${WEBHOOK_ID}/${token}`,
      `https://discord.com/api/webhooks/${WEBHOOK_ID}`,
      `https://discord.com/api/webhooks/not-an-id/${token}`,
      `https://discord.com/api/webhooks/${WEBHOOK_ID}/${token}?wait=true`,
      `https://discord.com/api/webhooks/${WEBHOOK_ID}/${token}/slack`,
      `https://user@discord.com/api/webhooks/${WEBHOOK_ID}/${token}`,
      'discord.com/api/webhooks/1/2',
      '',
    ]) {
      expect(webhookUrlProblem(url), url).not.toBeNull();
      expect(secrets(url), url).toBe(false);
    }
    expect(() => parseWebhookUrl(`https://evil.example/api/webhooks/${WEBHOOK_ID}/${token}`)).toThrow(/must look like/);
  });
});

describe('the Discord manifest', () => {
  it('describes every field, refuses unknown ones, and keeps the webhook URL among the secrets', () => {
    expectDescribed([discordConnection.config, discordConnection.secrets, ...discordConnection.actions.map((a) => a.config)]);
    expect(Object.keys((discordConnection.secrets as { properties: object }).properties)).toEqual(['webhookUrl']);
    expect(Object.keys((discordConnection.config as { properties: object }).properties)).toEqual([]);
    expect(discordConnection.actions.map((a) => [a.name, a.channels])).toEqual([['discord.postMessage', ['success', 'failed']]]);
  });

  it('ships templates that are valid reactions as they are, and render for the deploys they are for', () => {
    expect((discordConnection.templates ?? []).map((t) => t.name)).toEqual(['discord-on-production-deploy', 'discord-on-failed-deploy']);
    const [production, failed] = (discordConnection.templates ?? []).map((t) => validReaction(discordConnection, t.yaml));
    expect(production!.name).toBe('discord-on-production-deploy');
    expect(renderStep(production!, deployRecorded())).toEqual({ connection: 'discord', layout: 'deploy' });
    expect(renderStep(failed!, deployFailed())).toEqual({ connection: 'discord', layout: 'deploy', text: 'Run 88 failed at step migrate' });
  });
});
