import { Type } from 'typebox';
import type { Static } from 'typebox';
import type { ActionContext, Outcome } from '../../engine/action.js';
import { defineAction } from '../../engine/define-action.js';
import { NonRetriableError } from '../../engine/action.js';
import { toAdf } from './adf.js';
import { JiraClient, jiraSite } from './client.js';

export const AddCommentConfig = Type.Object(
  {
    connection: Type.String({ title: 'Connection', description: 'The Jira connection (name)' }),
    issue: Type.String({
      title: 'Issue',
      placeholder: 'OPS-24',
      minLength: 1,
      description: 'The issue key or id, e.g. OPS-24 (or "{{ steps.ticket.output.key }}")',
    }),
    body: Type.String({ title: 'Body', minLength: 1, description: 'Plain text: blank lines separate paragraphs, URLs become links' }),
  },
  { additionalProperties: false },
);

export type AddCommentConfig = Static<typeof AddCommentConfig>;

async function run(ctx: ActionContext, config: AddCommentConfig): Promise<Outcome> {
  const site = jiraSite(await ctx.connection(config.connection));
  const body = toAdf(config.body);
  if (body.content.length === 0) throw new NonRetriableError('jira.addComment: the comment is empty');
  const client = new JiraClient(ctx.http, site, ctx.signal, ctx.now);
  const comment = await client.addComment(config.issue, body);
  // Jira's own link to one comment of an issue.
  const url = `${client.browseUrl(config.issue)}?focusedCommentId=${encodeURIComponent(comment.id)}`;
  ctx.log(`commented on ${config.issue}: ${url}`);
  return { channel: 'success', output: { id: comment.id, issue: config.issue, url } };
}

export const addCommentAction = defineAction({
  name: 'jira.addComment',
  description: "Adds a comment (plain text, converted to Jira's document format) to a Jira issue",
  channels: ['success', 'failed'],
  config: AddCommentConfig,
  exampleOutput: { id: '10042', issue: 'OPS-24', url: 'https://your-site.atlassian.net/browse/OPS-24?focusedCommentId=10042' },
  run,
});
