import net from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ShiplineEvent } from '../../core/vocabulary.js';
import { NonRetriableError, RetryAfterError } from '../../engine/action.js';
import { connectionOf, contexts, deployFailed } from '../integration.test-support.js';
import { deployRecorded, octopusFailed } from '../slack/events.test-support.js';
import type { Embed } from './embed.js';
import { embedSize } from './embed.js';
import { discordPostMessageAction } from './post-message.js';
import type { DiscordPostMessageConfig } from './post-message.js';
import { CHANNEL_ID, DiscordStandIn, FIRST_MESSAGE_ID, fixture, WEBHOOK_ID, WEBHOOK_TOKEN } from './stand-in.test-support.js';

const discord = new DiscordStandIn();
const made = contexts();

beforeAll(async () => {
  await discord.start();
});
afterAll(async () => {
  await discord.close();
});
beforeEach(() => discord.clear());
afterEach(() => made.closeAll());

function context(options: { url?: string; event?: ShiplineEvent; type?: string } = {}) {
  return made.make({
    ...(options.event ? { event: options.event } : {}),
    connections: {
      discord: connectionOf(options.type ?? 'discord', 'discord', {}, { webhookUrl: options.url ?? discord.webhookUrl() }),
    },
  });
}

/** Runs the action; what it returned or threw, and its log, which must never hold the token. */
async function post(config: Omit<DiscordPostMessageConfig, 'connection'>, options: Parameters<typeof context>[0] = {}) {
  const { ctx, logs } = context(options);
  const outcome = await discordPostMessageAction.run(ctx, { connection: 'discord', ...config }).catch((e: unknown) => e);
  expect(JSON.stringify(outcome instanceof Error ? outcome.message : outcome)).not.toContain(WEBHOOK_TOKEN);
  expect(logs.join('\n')).not.toContain(WEBHOOK_TOKEN);
  return { outcome, logs };
}

type Sent = {
  content?: string;
  username?: string;
  avatar_url?: string;
  embeds?: Array<Record<string, unknown>>;
  allowed_mentions: unknown;
};
const sent = (i = 0) => discord.requests[i]!.json as Sent;

describe('discord.postMessage', () => {
  it('posts the deploy embed with wait=true and outputs the saved message id and channel', async () => {
    const { outcome, logs } = await post({ layout: 'deploy', runUrl: 'https://shipline.example/runs/r1' }, { event: deployRecorded() });
    expect(outcome).toEqual({ channel: 'success', output: { messageId: FIRST_MESSAGE_ID, channelId: CHANNEL_ID } });
    expect(logs).toEqual([`posted message ${FIRST_MESSAGE_ID} to channel ${CHANNEL_ID}`]);

    expect(discord.requests).toHaveLength(1);
    const [call] = discord.requests;
    expect(call!.method).toBe('POST');
    expect(call!.path).toBe(`/api/webhooks/${WEBHOOK_ID}/${WEBHOOK_TOKEN}`);
    expect(call!.query.get('wait')).toBe('true');
    expect(call!.headers['content-type']).toBe('application/json');
    expect(call!.headers.authorization).toBeUndefined();
    expect(call!.json).toEqual({
      embeds: [
        {
          title: 'checkout 1.4.2 deployed to production',
          url: 'https://ci.example.com/runs/88',
          description: '[View deploy](https://ci.example.com/runs/88)',
          color: 0x57f287,
          fields: [
            { name: 'Service', value: 'checkout', inline: true },
            { name: 'Environment', value: 'production', inline: true },
            { name: 'Version', value: '1.4.2', inline: true },
            { name: 'Status', value: 'Succeeded', inline: true },
            { name: 'Deployer', value: 'Alice Liddell', inline: true },
            { name: 'Commit', value: 'f95f852 Fix rounding in totals', inline: false },
            { name: 'Run', value: '[View run](https://shipline.example/runs/r1)', inline: false },
          ],
          footer: { text: 'Shipline' },
          timestamp: '2026-02-05T16:05:00.000Z',
        },
      ],
      allowed_mentions: { parse: [] },
    });
    expect(discord.messages).toHaveLength(1);
  });

  it("declares as its example output what Discord's recorded answer gives", () => {
    const message = fixture<{ id: string; channel_id: string }>('execute-webhook.ok.json');
    expect(discordPostMessageAction.exampleOutput).toEqual({ messageId: message.id, channelId: message.channel_id });
  });

  it('colours a failure red, and carries content, name, avatar, mentions and extra fields', async () => {
    const { outcome } = await post(
      {
        layout: 'deploy',
        content: '<@&1311775642688278601> a production deploy failed',
        username: 'Shipline',
        avatar_url: 'https://shipline.example/logo.png',
        mentions: ['roles'],
        fields: { Ticket: 'OPS-1' },
      },
      { event: octopusFailed() },
    );
    expect(outcome).toMatchObject({ channel: 'success' });
    const body = sent();
    expect(body).toMatchObject({
      content: '<@&1311775642688278601> a production deploy failed',
      username: 'Shipline',
      avatar_url: 'https://shipline.example/logo.png',
      allowed_mentions: { parse: ['roles'] },
    });
    const [embed] = body.embeds!;
    expect(embed).toMatchObject({ title: 'Argo CD Octopub 0.1.178 failed to deploy to Production', color: 0xed4245 });
    expect(embed!.url).toBe('https://acme.octopus.app/app#/Spaces-1/deployments/Deployments-12519');
    expect((embed!.fields as Array<{ name: string }>).map((f) => f.name)).toEqual([
      'Service',
      'Environment',
      'Version',
      'Status',
      'Ticket',
    ]);
  });

  it('puts the failure reason of a deploy.failed event in the description when the step gives it', async () => {
    await post({ layout: 'deploy', text: 'Run 88 failed at step migrate' }, { event: deployFailed() });
    expect(sent().embeds![0]).toMatchObject({
      title: 'api 1.4.2 failed to deploy to production',
      description: 'Run 88 failed at step migrate',
    });
  });

  it('posts content alone, or an embed of title, text and fields, without the deploy layout', async () => {
    await post({ content: 'hello @everyone' });
    expect(sent(0)).toEqual({ content: 'hello @everyone', allowed_mentions: { parse: [] } });
    await post({ title: 'Freeze', text: 'No deploys until Monday', fields: { Owner: 'ops' } });
    expect(sent(1)).toEqual({
      embeds: [{ title: 'Freeze', description: 'No deploys until Monday', fields: [{ name: 'Owner', value: 'ops' }] }],
      allowed_mentions: { parse: [] },
    });
  });

  it('cuts values read from events to the embed limits Discord enforces, so the message is accepted', async () => {
    const event = deployRecorded();
    const data = event.data as { commit: { message: string }; serviceAlias: string; service: { name: string } };
    data.commit.message = 'x'.repeat(3000);
    data.service.name = 's'.repeat(400);
    const { outcome } = await post({ layout: 'deploy', fields: { Empty: '' } }, { event });
    expect(outcome).toMatchObject({ channel: 'success' });
    const embed = sent().embeds![0] as { title: string; fields: Array<{ name: string; value: string }> };
    expect(embed.title.length).toBe(256);
    expect(embed.fields.find((f) => f.name === 'Commit')!.value.length).toBe(1024);
    expect(embed.fields.map((f) => f.name)).not.toContain('Empty');
  });

  it("keeps an embed within Discord's 6000-character total: the description gives way first, then the last fields", async () => {
    const event = deployRecorded();
    (event.data as { commit: { message: string } }).commit.message = 'c'.repeat(3000);
    const extra = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`Note ${i}`, 'n'.repeat(1000)]));
    const { outcome } = await post({ layout: 'deploy', text: 'r'.repeat(5000), fields: extra }, { event });
    expect(outcome).toMatchObject({ channel: 'success' });
    const embed = sent().embeds![0] as Embed;
    expect(embedSize(embed)).toBeLessThanOrEqual(6000);
    expect(embed.description).toBeUndefined();
    expect(embed.fields!.map((f) => f.name).slice(0, 6)).toEqual(['Service', 'Environment', 'Version', 'Status', 'Deployer', 'Commit']);
    expect(embed.fields!.length).toBeLessThan(6 + 6);

    await post({ title: 'Long', text: 't'.repeat(4096), fields: { A: 'a'.repeat(1024), B: 'b'.repeat(1024) } });
    const plain = sent(1).embeds![0] as Embed;
    expect(embedSize(plain)).toBe(6000);
    expect(plain.description!.endsWith('…')).toBe(true);
  });

  it('refuses, without calling Discord, a step with nothing to post or deploy overrides without the layout', async () => {
    const nothing = await post({});
    expect(nothing.outcome).toBeInstanceOf(NonRetriableError);
    expect((nothing.outcome as Error).message).toMatch(/nothing to post/);
    const misplaced = await post({ content: 'x', deploy: { service: 'api' } });
    expect((misplaced.outcome as Error).message).toMatch(/deploy is read by layout: deploy only/);
    const tooLong = await post({ content: 'x'.repeat(2001) });
    expect((tooLong.outcome as Error).message).toMatch(/2001 characters; Discord accepts at most 2000/);
    const wrongType = await post({ content: 'x' }, { type: 'slack' });
    expect((wrongType.outcome as Error).message).toMatch(/is a slack connection, not discord/);
    expect(discord.requests).toHaveLength(0);
  });
});

describe("discord.postMessage and Discord's errors", () => {
  it('waits as long as a 429 asks (retry_after, in seconds with decimals)', async () => {
    discord.rateLimitNext();
    const { outcome } = await post({ content: 'hi' });
    expect(outcome).toBeInstanceOf(RetryAfterError);
    expect((outcome as RetryAfterError).retryAfterMs).toBe(2374);
    expect((outcome as Error).message).toMatch(
      /HTTP 429: The resource is being rate limited\. \(shared rate limit\); retrying after 2374 ms/,
    );
  });

  it('falls back to the Retry-After header, and names a global rate limit', async () => {
    discord.failNext({ status: 429, headers: { 'retry-after': '7', 'content-type': 'text/plain' }, body: 'error code: 1015' });
    const header = await post({ content: 'hi' });
    expect((header.outcome as RetryAfterError).retryAfterMs).toBe(7000);
    discord.failNext({
      status: 429,
      headers: { 'content-type': 'application/json', 'retry-after': '65', 'x-ratelimit-global': 'true', 'x-ratelimit-scope': 'global' },
      body: JSON.stringify({ message: 'You are being rate limited.', retry_after: 64.57, global: true }),
    });
    const global = await post({ content: 'hi' });
    expect((global.outcome as RetryAfterError).retryAfterMs).toBe(64570);
    expect((global.outcome as Error).message).toMatch(/global rate limit/);
  });

  it("fails without retry on Discord's Invalid Form Body, naming the field", async () => {
    const { outcome } = await post({ content: 'hi', username: 'Discord Deploys' });
    expect(outcome).toBeInstanceOf(NonRetriableError);
    expect((outcome as Error).message).toBe(
      'Discord (execute webhook) answered HTTP 400: Invalid Form Body (code 50035: Discord refused a field of the message); username: USERNAME_INVALID_CONTAINS (Username cannot contain "discord")',
    );
  });

  it('fails without retry on a deleted webhook (Discord asks not to use it again) or a wrong token', async () => {
    const deleted = await post({ content: 'hi' }, { url: discord.webhookUrl(WEBHOOK_TOKEN, '1311776912384917000') });
    expect(deleted.outcome).toBeInstanceOf(NonRetriableError);
    expect((deleted.outcome as Error).message).toMatch(/HTTP 404: Unknown Webhook \(code 10015/);
    const forged = await post({ content: 'hi' }, { url: discord.webhookUrl('f'.repeat(68)) });
    expect(forged.outcome).toBeInstanceOf(NonRetriableError);
    expect((forged.outcome as Error).message).toMatch(/HTTP 401: Invalid Webhook Token \(code 50027/);
    expect((forged.outcome as Error).message).not.toContain('f'.repeat(68));
  });

  it('retries on 5xx and on a 2xx that is not the message Discord sends', async () => {
    discord.failNext({ status: 503, body: 'upstream connect error' });
    const outage = await post({ content: 'hi' });
    expect(outage.outcome).toBeInstanceOf(Error);
    expect(outage.outcome).not.toBeInstanceOf(NonRetriableError);
    expect((outage.outcome as Error).message).toMatch(/HTTP 503: upstream connect error; will retry/);
    discord.failNext({ status: 200, body: '<html>captive portal</html>' });
    const odd = await post({ content: 'hi' });
    expect(odd.outcome).not.toBeInstanceOf(NonRetriableError);
    expect((odd.outcome as Error).message).toMatch(/without the JSON Discord sends/);
  });

  it('keeps the token out of a network error, which would otherwise name the URL', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const { outcome } = await post({ content: 'hi' }, { url: `http://127.0.0.1:${port}/api/webhooks/${WEBHOOK_ID}/${WEBHOOK_TOKEN}` });
    expect(outcome).toBeInstanceOf(Error);
    expect(outcome).not.toBeInstanceOf(NonRetriableError);
    expect((outcome as Error).message).toMatch(new RegExp(`POST http://127\\.0\\.0\\.1:${port}/api/webhooks/${WEBHOOK_ID}/<token> failed`));
  });

  it('refuses a connection whose URL is not a Discord webhook, without contacting it or echoing it', async () => {
    const { outcome } = await post({ content: 'hi' }, { url: `https://example.com/api/webhooks/${WEBHOOK_ID}/${WEBHOOK_TOKEN}` });
    expect(outcome).toBeInstanceOf(NonRetriableError);
    expect((outcome as Error).message).toMatch(
      /webhookUrl does not have the expected form \(e\.g\. https:\/\/discord\.com\/api\/webhooks\//,
    );
    expect(discord.requests).toHaveLength(0);
  });
});
