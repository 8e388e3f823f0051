import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SlackStandIn } from './stand-in.test-support.js';
import type { ShiplineEvent } from '../../core/vocabulary.js';
import { NonRetriableError, RetryAfterError } from '../../engine/action.js';
import { KEY_TTL_MS, postMessageAction } from './post-message.js';
import { connectionOf, contexts } from '../integration.test-support.js';
import { deployRecorded, octopusFailed, octopusFinishedOutput } from './events.test-support.js';

const slack = new SlackStandIn();
const made = contexts();

beforeAll(async () => {
  await slack.start();
});
afterAll(async () => {
  await slack.close();
});
beforeEach(() => slack.clear());
afterEach(() => made.closeAll());

function botContext(options: { event?: ShiplineEvent; token?: string; config?: Record<string, unknown> } = {}) {
  return made.make({
    ...(options.event ? { event: options.event } : {}),
    connections: {
      slack: connectionOf('slack', 'slack', { apiUrl: slack.apiUrl, ...options.config }, { botToken: options.token ?? 'xoxb-valid' }),
    },
  });
}

function webhookContext(webhookUrl = slack.webhookUrl) {
  return made.make({ connections: { hook: connectionOf('slack', 'hook', {}, { webhookUrl }) } });
}

type Field = { text: string };
type Attachment = { color: string; fallback: string; blocks: Array<{ type: string; fields?: Field[]; elements?: Field[] }> };

describe('slack.postMessage with a bot token', () => {
  it('posts the deploy layout of a deploy.recorded event with chat.postMessage', async () => {
    const { ctx, logs } = botContext({ event: deployRecorded() });
    const result = await postMessageAction.run(ctx, {
      connection: 'slack',
      channel: '#deploys',
      layout: 'deploy',
      runUrl: 'https://shipline.example/runs/r1',
    });

    expect(result).toEqual({ channel: 'success', output: { channel: 'C0DEPLOYS', ts: slack.messages[0]!.ts } });
    const [call] = slack.calls('chat.postMessage');
    expect(slack.requests).toHaveLength(1);
    expect(call!.method).toBe('POST');
    expect(call!.headers.authorization).toBe('Bearer xoxb-valid');
    expect(call!.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = call!.json as { channel: string; text: string; blocks: Array<{ text: Field }>; attachments: Attachment[] };
    expect(Object.keys(body).sort()).toEqual(['attachments', 'blocks', 'channel', 'text']);
    expect(body.channel).toBe('#deploys');
    expect(body.text).toBe('checkout 1.4.2 deployed to production');
    expect(body.blocks).toEqual([
      { type: 'section', text: { type: 'mrkdwn', text: ':white_check_mark: *checkout 1.4.2 deployed to production*' } },
    ]);
    const [attachment] = body.attachments;
    expect(attachment!.color).toBe('#2EB67D');
    expect(attachment!.fallback).toBe(body.text);
    expect(attachment!.blocks[0]!.fields!.map((f) => f.text)).toEqual([
      '*Service*\ncheckout',
      '*Environment*\nproduction',
      '*Version*\n1.4.2',
      '*Status*\nSucceeded',
      '*Deployer*\nAlice Liddell',
      '*Commit*\n`f95f852` Fix rounding in totals',
    ]);
    expect(attachment!.blocks[1]).toEqual({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: '<https://ci.example.com/runs/88|View deploy>  ·  <https://shipline.example/runs/r1|View run>' }],
    });
    // Slack added no warning (e.g. missing_charset): nothing logged about it.
    expect(logs.some((l) => l.includes('warning'))).toBe(false);
  });

  it('colours a failed Octopus deployment red and links the deployment', async () => {
    const { ctx } = botContext({ event: octopusFailed(), config: { defaultChannel: 'C0DEPLOYS' } });
    await postMessageAction.run(ctx, { connection: 'slack', layout: 'deploy' });
    const body = slack.calls('chat.postMessage')[0]!.json as { channel: string; text: string; attachments: Attachment[] };
    expect(body.channel).toBe('C0DEPLOYS');
    expect(body.text).toBe('Argo CD Octopub 0.1.178 failed to deploy to Production');
    expect(body.attachments[0]!.color).toBe('#E01E5A');
    expect(body.attachments[0]!.blocks[1]!.elements![0]!.text).toBe(
      '<https://acme.octopus.app/app#/Spaces-1/deployments/Deployments-12519|View deploy>',
    );
    // The run link is left out when no runUrl is given.
    expect(body.attachments[0]!.blocks[1]!.elements![0]!.text).not.toContain('View run');
  });

  it('reads a step output passed as deploy.from and lets explicit fields win', async () => {
    const { ctx } = botContext({ event: octopusFailed() });
    await postMessageAction.run(ctx, {
      connection: 'slack',
      channel: 'C0DEPLOYS',
      layout: 'deploy',
      deploy: { from: JSON.stringify(octopusFinishedOutput()), deployer: 'octo-bot' },
    });
    const body = slack.calls('chat.postMessage')[0]!.json as { text: string; attachments: Attachment[] };
    // Names come from the triggering event, status and link from the finished output.
    expect(body.text).toBe('Argo CD Octopub 0.1.178 deployed to Production');
    expect(body.attachments[0]!.color).toBe('#2EB67D');
    expect(body.attachments[0]!.blocks[0]!.fields!.map((f) => f.text)).toContain('*Deployer*\nocto-bot');
    expect(body.attachments[0]!.blocks[1]!.elements![0]!.text).toContain(
      'https://my-company.octopus.app/app#/Spaces-1/deployments/Deployments-1011',
    );
  });

  it('refuses deploy.from that is an object rendered without the json filter', async () => {
    const { ctx } = botContext();
    await expect(
      postMessageAction.run(ctx, { connection: 'slack', channel: 'C0DEPLOYS', layout: 'deploy', deploy: { from: '[object Object]' } }),
    ).rejects.toThrow(/json filter/);
    expect(slack.requests).toHaveLength(0);
  });

  it('posts text and blocks as given, in a thread, and remembers the message under a key for 30 days', async () => {
    const { ctx } = botContext();
    const first = await postMessageAction.run(ctx, { connection: 'slack', channel: 'C0DEPLOYS', text: 'parent' });
    const parentTs = (first as { output: { ts: string } }).output.ts;
    const sets: Array<[string, unknown, number | undefined]> = [];
    const set = ctx.kv.set;
    ctx.kv.set = async (key, value, ttl) => {
      sets.push([key, value, ttl]);
      await set(key, value, ttl);
    };
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*hello*' } }];
    const result = await postMessageAction.run(ctx, {
      connection: 'slack',
      channel: 'C0DEPLOYS',
      text: 'hello',
      blocks: JSON.stringify(blocks),
      thread_ts: parentTs,
      key: 'Deployments-1',
    });
    const posted = (result as { output: { channel: string; ts: string } }).output;
    expect(slack.calls('chat.postMessage')[1]!.json).toEqual({ channel: 'C0DEPLOYS', text: 'hello', blocks, thread_ts: parentTs });
    expect(sets).toEqual([['slack:Deployments-1', posted, KEY_TTL_MS]]);
    expect(KEY_TTL_MS).toBe(30 * 24 * 3600 * 1000);
    expect(await ctx.kv.get('slack:Deployments-1')).toEqual({ channel: 'C0DEPLOYS', ts: posted.ts });
  });

  it("fails without retry on an invalid token, with Slack's error code", async () => {
    const { ctx } = botContext({ token: 'xoxb-revoked' });
    const error = await postMessageAction.run(ctx, { connection: 'slack', channel: 'C0DEPLOYS', text: 'hi' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonRetriableError);
    expect((error as Error).message).toMatch(/chat\.postMessage: invalid_auth/);
  });

  it('fails without retry when the channel is not found', async () => {
    const { ctx } = botContext();
    const error = await postMessageAction.run(ctx, { connection: 'slack', channel: '#nowhere', text: 'hi' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonRetriableError);
    expect((error as Error).message).toMatch(/channel_not_found/);
  });

  it('names the apiUrl when Slack answers HTTP 404', async () => {
    const { ctx } = made.make({
      connections: { slack: connectionOf('slack', 'slack', { apiUrl: `${slack.url}/wrong` }, { botToken: 'xoxb-valid' }) },
    });
    const error = await postMessageAction.run(ctx, { connection: 'slack', channel: 'C0DEPLOYS', text: 'hi' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonRetriableError);
    expect((error as Error).message).toMatch(/HTTP 404.*apiUrl/);
  });

  it('waits as long as Retry-After says on 429', async () => {
    slack.rateLimitNext(7);
    const { ctx } = botContext();
    const error = await postMessageAction.run(ctx, { connection: 'slack', channel: 'C0DEPLOYS', text: 'hi' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryAfterError);
    expect((error as RetryAfterError).retryAfterMs).toBe(7000);
  });

  it('treats ratelimited in a 200 answer as a rate limit too', async () => {
    slack.failNext({
      status: 200,
      headers: { 'content-type': 'application/json', 'retry-after': '3' },
      body: '{"ok":false,"error":"ratelimited"}',
    });
    const { ctx } = botContext();
    const error = await postMessageAction.run(ctx, { connection: 'slack', channel: 'C0DEPLOYS', text: 'hi' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryAfterError);
    expect((error as RetryAfterError).retryAfterMs).toBe(3000);
  });

  it('leaves 5xx and internal_error to the retry policy', async () => {
    const { ctx } = botContext();
    slack.failNext({ status: 503, body: 'upstream unavailable' });
    const error = await postMessageAction.run(ctx, { connection: 'slack', channel: 'C0DEPLOYS', text: 'hi' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(NonRetriableError);
    expect(error).not.toBeInstanceOf(RetryAfterError);
    slack.failNext({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":false,"error":"internal_error"}' });
    const again = await postMessageAction.run(ctx, { connection: 'slack', channel: 'C0DEPLOYS', text: 'hi' }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(Error);
    expect(again).not.toBeInstanceOf(NonRetriableError);
  });

  it('refuses a step with nothing to post, or with no channel anywhere, before calling Slack', async () => {
    const { ctx } = botContext();
    await expect(postMessageAction.run(ctx, { connection: 'slack', channel: 'C0DEPLOYS' })).rejects.toThrow(NonRetriableError);
    await expect(postMessageAction.run(ctx, { connection: 'slack', text: 'hi' })).rejects.toThrow(/no channel/);
    await expect(postMessageAction.run(ctx, { connection: 'slack', channel: 'C0DEPLOYS', layout: 'deploy', blocks: [] })).rejects.toThrow(
      /not both/,
    );
    expect(slack.requests).toHaveLength(0);
  });

  it('refuses a connection without secrets, or of another type', async () => {
    const { ctx } = made.make({
      connections: {
        empty: connectionOf('slack', 'empty', {}, {}),
        teams: connectionOf('teams', 'teams', {}, { webhookUrl: 'https://x.example' }),
      },
    });
    await expect(postMessageAction.run(ctx, { connection: 'empty', channel: 'C1', text: 'hi' })).rejects.toThrow(/neither a bot token/);
    await expect(postMessageAction.run(ctx, { connection: 'teams', channel: 'C1', text: 'hi' })).rejects.toThrow(
      /is a teams connection, not slack/,
    );
  });
});

describe('slack.postMessage through an incoming webhook', () => {
  it('posts the message as JSON without an auth header and answers with no channel or ts', async () => {
    const { ctx, logs } = webhookContext();
    const result = await postMessageAction.run(ctx, { connection: 'hook', channel: '#ignored', text: 'Deploy *done*', key: 'k1' });
    expect(result).toEqual({ channel: 'success', output: { channel: null, ts: null } });
    const [call] = slack.requests;
    expect(call!.method).toBe('POST');
    expect(call!.path).toBe('/services/T0001/B0001/standinsecret');
    expect(call!.headers['content-type']).toBe('application/json');
    expect(call!.headers.authorization).toBeUndefined();
    expect(call!.json).toEqual({ text: 'Deploy *done*' });
    expect(slack.webhookMessages).toHaveLength(1);
    expect(logs.join('\n')).toMatch(/channel #ignored ignored/);
    expect(await ctx.kv.get('slack:k1')).toBeUndefined();
  });

  it('posts the deploy layout too', async () => {
    const { ctx } = made.make({
      event: deployRecorded(),
      connections: { hook: connectionOf('slack', 'hook', {}, { webhookUrl: slack.webhookUrl }) },
    });
    await postMessageAction.run(ctx, { connection: 'hook', layout: 'deploy' });
    const body = slack.webhookMessages[0] as { text: string; attachments: Attachment[] };
    expect(body.text).toBe('checkout 1.4.2 deployed to production');
    expect(body.attachments[0]!.color).toBe('#2EB67D');
  });

  it('fails without retry when the webhook is revoked (404 no_service)', async () => {
    const { ctx } = webhookContext(`${slack.url}/services/T0001/B0001/revoked`);
    const error = await postMessageAction.run(ctx, { connection: 'hook', text: 'hi' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonRetriableError);
    expect((error as Error).message).toMatch(/HTTP 404: no_service \(the webhook URL was revoked/);
  });

  it('fails without retry on 410 channel_is_archived', async () => {
    slack.failNext({ status: 410, headers: { 'content-type': 'text/plain' }, body: 'channel_is_archived' });
    const { ctx } = webhookContext();
    const error = await postMessageAction.run(ctx, { connection: 'hook', text: 'hi' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonRetriableError);
    expect((error as Error).message).toMatch(/channel_is_archived/);
  });

  it('waits on 429 and retries 500 rollup_error', async () => {
    const { ctx } = webhookContext();
    slack.rateLimitNext(2, 'webhook');
    const limited = await postMessageAction.run(ctx, { connection: 'hook', text: 'hi' }).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(RetryAfterError);
    expect((limited as RetryAfterError).retryAfterMs).toBe(2000);
    slack.failNext({ status: 500, headers: { 'content-type': 'text/plain' }, body: 'rollup_error' });
    const failed = await postMessageAction.run(ctx, { connection: 'hook', text: 'hi' }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(Error);
    expect(failed).not.toBeInstanceOf(NonRetriableError);
    expect((failed as Error).message).toMatch(/rollup_error/);
  });
});
