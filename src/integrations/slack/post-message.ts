import { Type } from 'typebox';
import type { ActionContext } from '../../engine/action.js';
import { defineAction } from '../../engine/define-action.js';
import { NonRetriableError } from '../../engine/action.js';
import type { SlackSettings } from './client.js';
import { callSlack, openSlack, postToWebhook, warningsOf } from './client.js';
import type { MessageSettings, SlackMessage } from './message.js';
import { buildMessage, MessageFields } from './message.js';

const Config = Type.Object(
  {
    connection: Type.String({ title: 'Connection', description: 'The Slack connection (name)' }),
    channel: Type.Optional(
      Type.String({
        title: 'Channel',
        placeholder: '#deploys',
        description:
          "Channel ID (C…) or #name; default the connection's defaultChannel. Ignored by incoming webhooks, which post where they were installed",
      }),
    ),
    ...MessageFields,
    thread_ts: Type.Optional(Type.String({ title: 'Thread', description: 'Reply in the thread of this message ts' })),
    key: Type.Optional(
      Type.String({
        title: 'Message key',
        description:
          'Remember the posted message under this key (30 days) so slack.updateMessage can edit it, e.g. "{{ data.deploymentId }}"',
      }),
    ),
  },
  { additionalProperties: false },
);

export type PostMessageConfig = MessageSettings & {
  connection: string;
  channel?: string;
  thread_ts?: string;
  key?: string;
};

/** How long a keyed message can still be found for an update. */
export const KEY_TTL_MS = 30 * 24 * 60 * 60_000;

/** Where a posted message lives: what chat.update needs. */
export interface PostedMessage {
  channel: string;
  ts: string;
}

export const kvKey = (key: string) => `slack:${key}`;

/** The key to remember a message under, or undefined when none was given (or it rendered empty). */
export function keyOf(key: string | undefined): string | undefined {
  const trimmed = key?.trim();
  return trimmed ? trimmed : undefined;
}

export async function recallMessage(ctx: ActionContext, key: string): Promise<PostedMessage | undefined> {
  const value = (await ctx.kv.get(kvKey(key))) as Partial<PostedMessage> | undefined;
  return typeof value?.channel === 'string' && typeof value.ts === 'string' ? { channel: value.channel, ts: value.ts } : undefined;
}

export async function rememberMessage(ctx: ActionContext, key: string, message: PostedMessage): Promise<void> {
  await ctx.kv.set(kvKey(key), message, KEY_TTL_MS);
}

/** Posts with the bot token (chat.postMessage); returns where the message landed. */
export async function postWithToken(
  ctx: ActionContext,
  settings: SlackSettings & { botToken: string },
  channel: string,
  message: SlackMessage,
  threadTs?: string,
): Promise<PostedMessage> {
  const body = await callSlack(
    { http: ctx.http, apiUrl: settings.apiUrl, token: settings.botToken, signal: ctx.signal, now: () => ctx.now() },
    'chat.postMessage',
    { channel, ...message, ...(threadTs ? { thread_ts: threadTs } : {}) },
  );
  for (const warning of warningsOf(body)) ctx.log(`Slack warning: ${warning}`);
  const posted = { channel: String(body.channel ?? channel), ts: String(body.ts) };
  ctx.log(`posted message ${posted.ts} to ${posted.channel}`);
  return posted;
}

/** The channel to post to: the step's, else the connection's default. */
export function channelFor(config: { channel?: string }, settings: SlackSettings, action: string): string {
  const channel = config.channel?.trim() || settings.defaultChannel;
  if (!channel) throw new NonRetriableError(`${action}: no channel; set channel, or defaultChannel on the connection`);
  return channel;
}

/**
 * `slack.postMessage`: posts text, blocks or the deploy layout with the bot token
 * (chat.postMessage), or through the incoming webhook when the connection has only that.
 */
export const postMessageAction = defineAction({
  name: 'slack.postMessage',
  description:
    'Posts a Slack message (text, Block Kit blocks, or the built-in deploy layout), optionally remembered under a key for slack.updateMessage.',
  channels: ['success', 'failed'],
  config: Config,
  exampleOutput: { channel: 'C123ABC456', ts: '1503435956.000247' },

  async run(ctx, config) {
    const name = 'slack.postMessage';
    const settings = await openSlack(ctx, config.connection, name);
    const message = buildMessage(ctx.event, config, name);
    const key = keyOf(config.key);
    if (settings.botToken) {
      const posted = await postWithToken(
        ctx,
        { ...settings, botToken: settings.botToken },
        channelFor(config, settings, name),
        message,
        config.thread_ts,
      );
      if (key) await rememberMessage(ctx, key, posted);
      return { channel: 'success', output: posted };
    }
    // Only an incoming webhook: it posts where it was installed and tells us nothing back.
    if (config.channel) ctx.log(`channel ${config.channel} ignored: an incoming webhook posts to the channel chosen when it was installed`);
    await postToWebhook(
      ctx.http,
      settings.webhookUrl!,
      { ...message, ...(config.thread_ts ? { thread_ts: config.thread_ts } : {}) },
      {
        signal: ctx.signal,
        now: () => ctx.now(),
      },
    );
    ctx.log('posted through the incoming webhook');
    if (key)
      ctx.log(
        `key ${key} not remembered: an incoming webhook does not say which message it posted, so it cannot be updated; add a bot token`,
      );
    return { channel: 'success', output: { channel: null, ts: null } };
  },
});
