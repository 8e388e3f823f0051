import { Type } from 'typebox';
import type { Static } from 'typebox';
import type { Outcome } from '../../engine/action.js';
import { defineAction } from '../../engine/define-action.js';
import { githubCall, openGitHub, repoPath } from './client.js';
import { REPOSITORY_FIELDS } from './repository-fields.js';

const Config = Type.Object(
  {
    ...REPOSITORY_FIELDS,
    title: Type.String({ title: 'Title', minLength: 1, description: 'The issue title' }),
    body: Type.Optional(Type.String({ title: 'Body', description: 'The issue text (Markdown)' })),
    labels: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        title: 'Labels',
        description: 'Label names (dropped by GitHub if the token lacks push access)',
      }),
    ),
    assignees: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        title: 'Assignees',
        description: 'Logins to assign (dropped by GitHub if the token lacks push access)',
      }),
    ),
  },
  { additionalProperties: false },
);

export type CreateIssueConfig = Static<typeof Config>;

interface Issue {
  id: number;
  number: number;
  html_url: string;
}

/** `github.createIssue`: `POST /repos/{owner}/{repo}/issues`. */
export const createIssueAction = defineAction({
  name: 'github.createIssue',
  description: 'Opens an issue in a GitHub repository',
  channels: ['success', 'failed'],
  config: Config,
  exampleOutput: { number: 1347, url: 'https://github.com/acme/api/issues/1347', id: 1296269 },

  async run(ctx, config): Promise<Outcome> {
    const settings = await openGitHub(ctx, config.connection);
    const path = `${repoPath(settings, config, 'github.createIssue')}/issues`;
    const { json } = await githubCall<Issue>(ctx, settings, 'POST', path, {
      title: config.title,
      ...(config.body !== undefined ? { body: config.body } : {}),
      ...(config.labels ? { labels: config.labels } : {}),
      ...(config.assignees ? { assignees: config.assignees } : {}),
    });
    ctx.log(`opened issue #${json.number}: ${json.html_url}`);
    return { channel: 'success', output: { number: json.number, url: json.html_url, id: json.id } };
  },
});
