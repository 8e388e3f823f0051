import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SlackStandIn } from './stand-in.test-support.js';
import type { ShiplineEvent } from '../../core/vocabulary.js';
import { NonRetriableError, RetryAfterError } from '../../engine/action.js';
import { postMessageAction } from './post-message.js';
import { connectionOf, contexts } from '../integration.test-support.js';
import { octopusFailed } from './events.test-support.js';
import { updateMessageAction } from './update-message.js';

const slack = new SlackStandIn({
  tokens: {
    'xoxb-valid': { user: 'shipline', user_id: 'U0BOT', bot_id: 'B0BOT' },
    'xoxb-other': { user: 'other', user_id: 'U0OTHER', bot_id: 'B0OTHER' },
  },
});
const made = contexts();

beforeAll(async () => {
  await slack.start();
});
afterAll(async () => {
  await slack.close();
});
beforeEach(() => slack.clear());
afterEach(() => made.closeAll());

function context(token = 'xoxb-valid', event?: ShiplineEvent) {
  return made.make({
    ...(event ? { event } : {}),
    connections: {
      slack: connectionOf('slack', 'slack', { apiUrl: slack.apiUrl, defaultChannel: '#deploys' }, { botToken: token }),
      hook: connectionOf('slack', 'hook', {}, { webhookUrl: slack.webhookUrl }),
    },
  });
}

/** An Octopus deployment event of the given category, for the same deployment. */
function octopusEvent(category: 'DeploymentStarted' | 'DeploymentSucceeded' | 'DeploymentFailed'): ShiplineEvent {
  const event = octopusFailed();
  const type = { DeploymentStarted: 'started', DeploymentSucceeded: 'succeeded', DeploymentFailed: 'failed' }[category];
  return { ...event, type: `octopus.deployment.${type}`, data: { ...(event.data as object), category, eventType: category } };
}

type Attachment = { color: string };

describe('slack.updateMessage', () => {
  it('posts on the first event of a deployment and updates the same message on the next, keyed by deployment', async () => {
    const { ctx } = context();
    ctx.event = octopusEvent('DeploymentStarted');
    const first = await updateMessageAction.run(ctx, { connection: 'slack', key: 'Deployments-12519', layout: 'deploy' });
    expect(first).toEqual({ channel: 'success', output: { channel: 'C0DEPLOYS', ts: slack.messages[0]!.ts, posted: true } });
    expect(slack.calls('chat.postMessage')).toHaveLength(1);
    expect(slack.messages[0]!.text).toBe('Deploying Argo CD Octopub 0.1.178 to Production');

    ctx.event = octopusEvent('DeploymentSucceeded');
    const second = await updateMessageAction.run(ctx, { connection: 'slack', key: 'Deployments-12519', layout: 'deploy' });
    expect(second).toEqual({ channel: 'success', output: { channel: 'C0DEPLOYS', ts: slack.messages[0]!.ts, posted: false } });

    const [call] = slack.calls('chat.update');
    expect(call!.method).toBe('POST');
    expect(call!.headers.authorization).toBe('Bearer xoxb-valid');
    expect(call!.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = call!.json as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['attachments', 'blocks', 'channel', 'text', 'ts']);
    // The channel ID Slack returned, not the #name posted to.
    expect(body.channel).toBe('C0DEPLOYS');
    expect(body.ts).toBe(slack.messages[0]!.ts);
    expect(slack.messages).toHaveLength(1);
    expect(slack.messages[0]!.text).toBe('Argo CD Octopub 0.1.178 deployed to Production');
    expect((slack.messages[0]!.attachments as Attachment[])[0]!.color).toBe('#2EB67D');
  });

  it('also finds a message slack.postMessage remembered', async () => {
    const { ctx } = context();
    await postMessageAction.run(ctx, { connection: 'slack', channel: '#deploys', text: 'deploying…', key: 'd1' });
    const result = await updateMessageAction.run(ctx, { connection: 'slack', key: 'd1', text: 'deployed' });
    expect((result as { output: { posted: boolean } }).output.posted).toBe(false);
    // A text-only update clears blocks and attachments an earlier layout drew.
    expect(slack.calls('chat.update')[0]!.json).toEqual({
      channel: 'C0DEPLOYS',
      ts: slack.messages[0]!.ts,
      text: 'deployed',
      blocks: [],
      attachments: [],
    });
    expect(slack.messages[0]!.text).toBe('deployed');
  });

  it('updates a message named by channel and ts', async () => {
    const { ctx } = context();
    const posted = (await postMessageAction.run(ctx, { connection: 'slack', text: 'old' })) as { output: { channel: string; ts: string } };
    const result = await updateMessageAction.run(ctx, {
      connection: 'slack',
      channel: posted.output.channel,
      ts: posted.output.ts,
      text: 'new',
    });
    expect(result).toEqual({ channel: 'success', output: { ...posted.output, posted: false } });
    expect(slack.messages[0]!.text).toBe('new');
  });

  it('posts a new message when the remembered one was deleted', async () => {
    const { ctx, logs } = context();
    await updateMessageAction.run(ctx, { connection: 'slack', key: 'd2', text: 'one' });
    slack.messages.length = 0; // deleted in Slack
    const result = await updateMessageAction.run(ctx, { connection: 'slack', key: 'd2', text: 'two' });
    expect((result as { output: { posted: boolean } }).output.posted).toBe(true);
    expect(slack.calls('chat.update')).toHaveLength(1);
    expect(slack.calls('chat.postMessage')).toHaveLength(2);
    expect(logs.join('\n')).toMatch(/is gone; posting a new one/);
  });

  it('says which message is missing when there is neither a key nor channel and ts', async () => {
    const { ctx } = context();
    await expect(updateMessageAction.run(ctx, { connection: 'slack', channel: 'C0DEPLOYS', text: 'x' })).rejects.toThrow(
      /key, or channel and ts/,
    );
  });

  it('needs a bot token: an incoming webhook cannot edit', async () => {
    const { ctx } = context();
    const error = await updateMessageAction.run(ctx, { connection: 'hook', key: 'd', text: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonRetriableError);
    expect((error as Error).message).toMatch(/needs a bot token/);
    expect(slack.requests).toHaveLength(0);
  });

  it("fails without retry on an invalid token and on another bot's message", async () => {
    const { ctx } = context('xoxb-nope');
    const invalid = await updateMessageAction
      .run(ctx, { connection: 'slack', channel: 'C0DEPLOYS', ts: '1.2', text: 'x' })
      .catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(NonRetriableError);
    expect((invalid as Error).message).toMatch(/chat\.update: invalid_auth/);

    const { ctx: mine } = context('xoxb-valid');
    const posted = (await postMessageAction.run(mine, { connection: 'slack', text: 'mine' })) as {
      output: { channel: string; ts: string };
    };
    const { ctx: other } = context('xoxb-other');
    const refused = await updateMessageAction
      .run(other, { connection: 'slack', ...posted.output, text: 'theirs' })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(NonRetriableError);
    expect((refused as Error).message).toMatch(/cant_update_message/);
  });

  it('fails without retry when the message is not found', async () => {
    const { ctx } = context();
    const error = await updateMessageAction
      .run(ctx, { connection: 'slack', channel: 'C0DEPLOYS', ts: '1.000001', text: 'x' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonRetriableError);
    expect((error as Error).message).toMatch(/message_not_found/);
  });

  it('waits on 429 with Retry-After and retries 5xx', async () => {
    const { ctx } = context();
    const posted = (await postMessageAction.run(ctx, { connection: 'slack', text: 'old' })) as { output: { channel: string; ts: string } };
    slack.rateLimitNext(12);
    const limited = await updateMessageAction.run(ctx, { connection: 'slack', ...posted.output, text: 'new' }).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(RetryAfterError);
    expect((limited as RetryAfterError).retryAfterMs).toBe(12_000);
    slack.failNext({ status: 502, body: 'bad gateway' });
    const failed = await updateMessageAction.run(ctx, { connection: 'slack', ...posted.output, text: 'new' }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(Error);
    expect(failed).not.toBeInstanceOf(NonRetriableError);
    expect(failed).not.toBeInstanceOf(RetryAfterError);
  });
});
