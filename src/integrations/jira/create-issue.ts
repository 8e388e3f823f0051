import { Type } from 'typebox';
import type { Static } from 'typebox';
import type { ActionContext, Outcome } from '../../engine/action.js';
import { defineAction } from '../../engine/define-action.js';
import { NonRetriableError } from '../../engine/action.js';
import { toAdf } from './adf.js';
import { JiraClient, jiraSite } from './client.js';

/** Jira's limit on a summary. */
const SUMMARY_MAX = 255;

export const CreateIssueConfig = Type.Object(
  {
    connection: Type.String({ title: 'Connection', description: 'The Jira connection (name)' }),
    project: Type.Optional(
      Type.String({
        title: 'Project',
        placeholder: 'OPS',
        minLength: 1,
        description: "The project key, e.g. OPS; default the connection's project",
      }),
    ),
    issueType: Type.Optional(
      Type.String({ title: 'Issue type', placeholder: 'Task', minLength: 1, description: "The issue type's name; default Task" }),
    ),
    summary: Type.String({
      title: 'Summary',
      minLength: 1,
      description: 'One line; longer than 255 characters is cut, line breaks become spaces',
    }),
    description: Type.Optional(
      Type.String({ title: 'Description', description: 'Plain text: blank lines separate paragraphs, URLs become links' }),
    ),
    labels: Type.Optional(Type.Array(Type.String({ pattern: '^\\S+$' }), { title: 'Labels', description: 'Labels (no spaces)' })),
    priority: Type.Optional(
      Type.String({ title: 'Priority', placeholder: 'High', minLength: 1, description: "The priority's name, e.g. High" }),
    ),
  },
  { additionalProperties: false },
);

export type CreateIssueConfig = Static<typeof CreateIssueConfig>;

function oneLine(summary: string): string {
  const line = summary.replace(/\s*[\r\n]+\s*/g, ' ').trim();
  return line.length > SUMMARY_MAX ? `${line.slice(0, SUMMARY_MAX - 1)}…` : line;
}

async function run(ctx: ActionContext, config: CreateIssueConfig): Promise<Outcome> {
  const site = jiraSite(await ctx.connection(config.connection));
  const project = config.project ?? site.project;
  if (!project) throw new NonRetriableError('jira.createIssue: no project (set `project` on the step or on the connection)');
  const summary = oneLine(config.summary);
  if (summary === '') throw new NonRetriableError('jira.createIssue: the summary is empty');
  const description = config.description === undefined ? undefined : toAdf(config.description);
  const fields: Record<string, unknown> = {
    project: { key: project },
    issuetype: { name: config.issueType ?? 'Task' },
    summary,
    ...(description && description.content.length > 0 ? { description } : {}),
    ...(config.labels && config.labels.length > 0 ? { labels: config.labels } : {}),
    ...(config.priority ? { priority: { name: config.priority } } : {}),
  };
  const client = new JiraClient(ctx.http, site, ctx.signal, ctx.now);
  const created = await client.createIssue(fields);
  const url = client.browseUrl(created.key);
  ctx.log(`created ${created.key}: ${url}`);
  return { channel: 'success', output: { id: created.id, key: created.key, url } };
}

export const createIssueAction = defineAction({
  name: 'jira.createIssue',
  description: 'Creates a Jira issue (project, type, summary, plain-text description, labels, priority)',
  channels: ['success', 'failed'],
  config: CreateIssueConfig,
  exampleOutput: { id: '10000', key: 'OPS-24', url: 'https://your-site.atlassian.net/browse/OPS-24' },
  run,
});
