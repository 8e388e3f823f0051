import type { Static } from 'typebox';
import { Type } from 'typebox';
import type { ActionContext } from '../../engine/action.js';
import { NonRetriableError } from '../../engine/action.js';
import { defineAction } from '../../engine/define-action.js';
import { DeployOverrides, deployView } from '../deploy-facts.js';
import { executeWebhook } from './client.js';
import type { Embed } from './embed.js';
import { cut, deployEmbed, embedFields, LIMITS, withinTotal } from './embed.js';
import { discordSettings } from './settings.js';

const NAME = 'discord.postMessage';

const Config = Type.Object(
  {
    connection: Type.String({ title: 'Connection', description: 'The Discord connection (name)' }),
    content: Type.Optional(
      Type.String({
        title: 'Content',
        maxLength: LIMITS.content,
        description: 'Text above the embed (Discord markdown, up to 2000 characters)',
      }),
    ),
    username: Type.Optional(
      Type.String({
        title: 'Username',
        maxLength: 80,
        description:
          'Post under this name instead of the webhook\'s (1–80 characters; Discord refuses names containing "discord" or "clyde")',
      }),
    ),
    avatar_url: Type.Optional(
      Type.String({
        title: 'Avatar URL',
        placeholder: 'https://example.com/shipline.png',
        description: "Post with this avatar image URL instead of the webhook's",
      }),
    ),
    layout: Type.Optional(
      Type.Literal('deploy', {
        title: 'Layout',
        examples: ['deploy'],
        description: 'deploy: the built-in deploy embed (summary linked to the deploy, colour by status, service, environment, version...)',
      }),
    ),
    deploy: Type.Optional(DeployOverrides),
    title: Type.Optional(
      Type.String({ title: 'Embed title', description: "The embed's title; with layout: deploy, replaces the deploy summary" }),
    ),
    text: Type.Optional(Type.String({ title: 'Embed text', description: "The embed's description (Discord markdown)" })),
    fields: Type.Optional(
      Type.Record(Type.String(), Type.String(), {
        title: 'Embed fields',
        description: 'Embed fields as name → value (after the deploy facts with layout: deploy)',
      }),
    ),
    runUrl: Type.Optional(
      Type.String({
        title: 'Run URL',
        placeholder: 'https://shipline.example/runs/{{ run.id }}',
        description: 'A link to the run, shown by the deploy layout as "View run"; omitted when empty',
      }),
    ),
    mentions: Type.Optional(
      Type.Array(Type.Union([Type.Literal('users'), Type.Literal('roles'), Type.Literal('everyone')]), {
        title: 'Mentions',
        description:
          'Which mentions in content notify people (users, roles, everyone for @everyone/@here); default none, so text read from an event cannot ping a channel',
      }),
    ),
  },
  { additionalProperties: false },
);

export type DiscordPostMessageConfig = Static<typeof Config>;

/** The embed to send, or null for a message of content only. */
function embedOf(ctx: ActionContext, config: DiscordPostMessageConfig): Embed | null {
  const fields = Object.entries(config.fields ?? {}).map(([name, value]) => ({ name, value }));
  if (config.layout === 'deploy') {
    return deployEmbed(deployView(ctx.event, config.deploy, NAME), {
      ...(config.title ? { title: config.title } : {}),
      ...(config.text ? { text: config.text } : {}),
      ...(config.runUrl ? { runUrl: config.runUrl } : {}),
      fields,
      timestamp: ctx.event.timestamp,
    });
  }
  if (config.deploy) throw new NonRetriableError(`${NAME}: deploy is read by layout: deploy only; add layout: deploy`);
  if (!config.title && !config.text && fields.length === 0) return null;
  return withinTotal({
    ...(config.title ? { title: cut(config.title, LIMITS.title) } : {}),
    ...(config.text ? { description: cut(config.text, LIMITS.description) } : {}),
    ...(fields.length > 0 ? { fields: embedFields(fields) } : {}),
  });
}

/** The Execute Webhook body (https://discord.com/developers/docs/resources/webhook#execute-webhook-jsonform-params). */
function messageOf(ctx: ActionContext, config: DiscordPostMessageConfig): Record<string, unknown> {
  const content = config.content?.trim() ? config.content : undefined;
  if (content && content.length > LIMITS.content)
    throw new NonRetriableError(`${NAME}: content is ${content.length} characters; Discord accepts at most ${LIMITS.content}`);
  const embed = embedOf(ctx, config);
  if (!content && !embed) throw new NonRetriableError(`${NAME}: nothing to post; give content, title, text, fields or layout: deploy`);
  return {
    ...(content ? { content } : {}),
    ...(config.username ? { username: config.username } : {}),
    ...(config.avatar_url ? { avatar_url: config.avatar_url } : {}),
    ...(embed ? { embeds: [embed] } : {}),
    allowed_mentions: { parse: config.mentions ?? [] },
  };
}

/** `discord.postMessage`: posts a message (content, an embed, or the deploy layout) through a channel's webhook. */
export const discordPostMessageAction = defineAction({
  name: NAME,
  description:
    'Posts a message to a Discord channel through its incoming webhook: text, an embed, or the built-in deploy embed (service, environment, version, status colour, links), optionally under another name and avatar.',
  channels: ['success', 'failed'],
  config: Config,
  exampleOutput: { messageId: '1311778290452103188', channelId: '1311775642688278600' },

  async run(ctx, config) {
    const { webhook } = discordSettings(await ctx.connection(config.connection));
    const posted = await executeWebhook(ctx.http, webhook, messageOf(ctx, config), ctx.signal);
    ctx.log(`posted message ${posted.id} to channel ${posted.channel_id}`);
    return { channel: 'success', output: { messageId: posted.id, channelId: posted.channel_id } };
  },
});
