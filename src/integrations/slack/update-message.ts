import { Type } from 'typebox';
import type { ActionContext } from '../../engine/action.js';
import { defineAction } from '../../engine/define-action.js';
import { NonRetriableError } from '../../engine/action.js';
import type { SlackSettings } from './client.js';
import { callSlack, openSlack, SlackApiError, warningsOf } from './client.js';
import type { MessageSettings, SlackMessage } from './message.js';
import { buildMessage, MessageFields } from './message.js';
import type { PostedMessage } from './post-message.js';
import { channelFor, keyOf, postWithToken, recallMessage, rememberMessage } from './post-message.js';

const Config = Type.Object(
  {
    connection: Type.String({ title: 'Connection', description: 'The Slack connection (name); needs a bot token' }),
    key: Type.Optional(
      Type.String({
        title: 'Message key',
        description: 'The key a message was posted under (by this reaction); unknown, a new message is posted and remembered',
      }),
    ),
    channel: Type.Optional(
      Type.String({
        title: 'Channel',
        placeholder: 'C0123456789',
        description:
          "With ts: the message's channel ID. With key: where to post when the key is unknown (default the connection's defaultChannel)",
      }),
    ),
    ts: Type.Optional(Type.String({ title: 'Message ts', description: 'The message ts to update (with channel), instead of a key' })),
    ...MessageFields,
  },
  { additionalProperties: false },
);

export type UpdateMessageConfig = MessageSettings & {
  connection: string;
  key?: string;
  channel?: string;
  ts?: string;
};

const NAME = 'slack.updateMessage';

type TokenSettings = SlackSettings & { botToken: string };

/**
 * chat.update replaces the whole message: blocks and attachments not sent would stay, so a
 * text-only update sends empty lists to clear what an earlier layout drew.
 */
async function update(ctx: ActionContext, settings: TokenSettings, target: PostedMessage, message: SlackMessage): Promise<PostedMessage> {
  const body = await callSlack(
    { http: ctx.http, apiUrl: settings.apiUrl, token: settings.botToken, signal: ctx.signal, now: () => ctx.now() },
    'chat.update',
    {
      channel: target.channel,
      ts: target.ts,
      ...(message.text === undefined ? {} : { text: message.text }),
      blocks: message.blocks ?? [],
      attachments: message.attachments ?? [],
    },
  );
  for (const warning of warningsOf(body)) ctx.log(`Slack warning: ${warning}`);
  const updated = { channel: String(body.channel ?? target.channel), ts: String(body.ts ?? target.ts) };
  ctx.log(`updated message ${updated.ts} in ${updated.channel}`);
  return updated;
}

/**
 * `slack.updateMessage`: edits a message found by `key` (remembered by an earlier run of the
 * same reaction) or by `channel` + `ts`. A key not seen yet posts a new message and remembers it,
 * so one reaction on `octopus.deployment.*` keyed by deployment keeps one message per deployment.
 */
export const updateMessageAction = defineAction({
  name: NAME,
  description:
    'Updates a Slack message found by key (or channel and ts) with new text, blocks or the deploy layout; posts it when the key is unknown.',
  channels: ['success', 'failed'],
  config: Config,
  exampleOutput: { channel: 'C123ABC456', ts: '1503435956.000247', posted: false },

  async run(ctx, config) {
    const settings = await openSlack(ctx, config.connection, NAME);
    if (!settings.botToken) {
      throw new NonRetriableError(
        `${NAME}: editing a message needs a bot token (chat.update); an incoming webhook can only post. Add botToken to the connection`,
      );
    }
    const withToken: TokenSettings = { ...settings, botToken: settings.botToken };
    const message = buildMessage(ctx.event, config, NAME);
    const key = keyOf(config.key);

    if (key) {
      const known = await recallMessage(ctx, key);
      if (known) {
        try {
          const updated = await update(ctx, withToken, known, message);
          await rememberMessage(ctx, key, updated);
          return { channel: 'success', output: { ...updated, posted: false } };
        } catch (err) {
          // Someone deleted the message: the deployment still deserves one.
          if (!(err instanceof SlackApiError && err.code === 'message_not_found')) throw err;
          ctx.log(`message ${known.ts} for key ${key} is gone; posting a new one`);
        }
      } else ctx.log(`no message remembered under key ${key}; posting a new one`);
      const posted = await postWithToken(ctx, withToken, channelFor(config, settings, NAME), message);
      await rememberMessage(ctx, key, posted);
      return { channel: 'success', output: { ...posted, posted: true } };
    }

    const channel = config.channel?.trim();
    const ts = config.ts?.trim();
    if (!channel || !ts) throw new NonRetriableError(`${NAME}: say which message: key, or channel and ts`);
    const updated = await update(ctx, withToken, { channel, ts }, message);
    return { channel: 'success', output: { ...updated, posted: false } };
  },
});
