import { Type } from 'typebox';
import type { ActionContext } from '../../engine/action.js';
import { defineAction } from '../../engine/define-action.js';
import { NonRetriableError } from '../../engine/action.js';
import type { DeployOverridesValue } from '../deploy-facts.js';
import { DeployOverrides, deployView } from '../deploy-facts.js';
import type { CardContent, Fact } from './card.js';
import { isWebUrl } from '../../core/urls.js';
import { adaptiveMessage, DEFAULT_CARD_VERSION, deployContent, openUrl } from './card.js';
import { parseWebhookUrl, postToTeams } from './client.js';

const NAME = 'teams.postMessage';

const Config = Type.Object(
  {
    connection: Type.String({ title: 'Connection', description: 'The Microsoft Teams connection (name)' }),
    title: Type.Optional(
      Type.String({ title: 'Card title', description: "The card's headline; with layout: deploy, replaces the deploy summary" }),
    ),
    text: Type.Optional(Type.String({ title: 'Text', description: 'A paragraph under the title (Teams markdown subset)' })),
    layout: Type.Optional(
      Type.Literal('deploy', {
        title: 'Layout',
        examples: ['deploy'],
        description: 'deploy: the built-in deploy card (summary coloured by status, facts, links to the deploy and the run)',
      }),
    ),
    deploy: Type.Optional(DeployOverrides),
    facts: Type.Optional(
      Type.Record(Type.String(), Type.String(), {
        title: 'Facts',
        description: 'Facts to show as title → value (after the deploy facts with layout: deploy)',
      }),
    ),
    link: Type.Optional(
      Type.Object(
        {
          url: Type.String({ title: 'Link URL', placeholder: 'https://ci.example.com/deploys/42', description: 'An http(s) URL' }),
          title: Type.Optional(Type.String({ title: 'Button label', description: 'The button label; default "Open"' })),
        },
        { title: 'Link', additionalProperties: false, description: 'A button that opens a URL' },
      ),
    ),
    runUrl: Type.Optional(
      Type.String({
        title: 'Run URL',
        placeholder: 'https://shipline.example/runs/{{ run.id }}',
        description: 'A link to the run, shown by the deploy layout as "View run"; omitted when empty',
      }),
    ),
  },
  { additionalProperties: false },
);

export type TeamsPostMessageConfig = {
  connection: string;
  title?: string;
  text?: string;
  layout?: 'deploy';
  deploy?: DeployOverridesValue;
  facts?: Record<string, string>;
  link?: { url: string; title?: string };
  runUrl?: string;
};

function contentOf(ctx: ActionContext, config: TeamsPostMessageConfig): CardContent {
  const facts: Fact[] = Object.entries(config.facts ?? {}).map(([title, value]) => ({ title, value }));
  if (config.link && !isWebUrl(config.link.url)) throw new NonRetriableError(`${NAME}: link.url must be an http(s) URL`);
  const link = config.link ? [openUrl(config.link.title || 'Open', config.link.url)] : [];
  if (config.layout === 'deploy') {
    const content = deployContent(deployView(ctx.event, config.deploy, NAME), {
      ...(config.title ? { title: config.title } : {}),
      ...(config.text ? { text: config.text } : {}),
      ...(config.runUrl ? { runUrl: config.runUrl } : {}),
      facts,
    });
    return { ...content, actions: [...(content.actions ?? []), ...link] };
  }
  if (config.deploy) throw new NonRetriableError(`${NAME}: deploy is read by layout: deploy only; add layout: deploy`);
  if (!config.title && !config.text && facts.length === 0)
    throw new NonRetriableError(`${NAME}: nothing to post; give title, text, facts or layout: deploy`);
  return {
    ...(config.title ? { title: config.title } : {}),
    ...(config.text ? { text: config.text } : {}),
    facts,
    actions: link,
  };
}

/** `teams.postMessage`: posts an Adaptive Card to a Teams channel through its webhook. */
export const teamsPostMessageAction = defineAction({
  name: NAME,
  description:
    'Posts an Adaptive Card (title, text, facts, a link, or the built-in deploy layout) to a Microsoft Teams channel through a Workflows or connector webhook.',
  channels: ['success', 'failed'],
  config: Config,
  exampleOutput: { status: 202 },

  async run(ctx, config) {
    const connection = await ctx.connection(config.connection);
    if (connection.type !== 'teams')
      throw new NonRetriableError(`${NAME}: connection "${config.connection}" is a ${connection.type} connection, not a Teams one`);
    const url = parseWebhookUrl(connection.secrets.webhookUrl);
    const version =
      typeof connection.config.cardVersion === 'string' && connection.config.cardVersion
        ? connection.config.cardVersion
        : DEFAULT_CARD_VERSION;
    const message = adaptiveMessage(contentOf(ctx, config), version);
    const { status } = await postToTeams(ctx.http, url, message, { signal: ctx.signal });
    // 202 means the flow run was queued: a card the flow rejects shows only in its run history.
    ctx.log(status === 202 ? 'accepted by the Workflows webhook (202); the flow posts the card' : `posted (HTTP ${status})`);
    return { channel: 'success', output: { status } };
  },
});
