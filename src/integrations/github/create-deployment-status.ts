import { Type } from 'typebox';
import type { Static } from 'typebox';
import type { Outcome } from '../../engine/action.js';
import { defineAction } from '../../engine/define-action.js';
import { githubCall, openGitHub, repoPath } from './client.js';
import { REPOSITORY_FIELDS } from './repository-fields.js';

/** GitHub keeps at most 140 characters of a status description. */
export const MAX_DESCRIPTION = 140;

const State = Type.Union(
  [
    Type.Literal('error'),
    Type.Literal('failure'),
    Type.Literal('inactive'),
    Type.Literal('in_progress'),
    Type.Literal('queued'),
    Type.Literal('pending'),
    Type.Literal('success'),
  ],
  { title: 'State', description: 'error, failure, inactive, in_progress, queued, pending or success' },
);

const Config = Type.Object(
  {
    ...REPOSITORY_FIELDS,
    // Rendered templates are text, so a number from an event arrives as "145988746".
    deployment_id: Type.Union([Type.Integer({ minimum: 1 }), Type.String({ pattern: '^[1-9][0-9]*$' })], {
      title: 'Deployment ID',
      description: 'The GitHub deployment id',
    }),
    state: State,
    environment: Type.Optional(Type.String({ title: 'Environment', minLength: 1, description: "Renames the deployment's environment" })),
    environment_url: Type.Optional(
      Type.String({
        title: 'Environment URL',
        placeholder: 'https://api.example.com',
        description: 'Where the deployed environment can be reached',
      }),
    ),
    log_url: Type.Optional(
      Type.String({
        title: 'Log URL',
        placeholder: 'https://ci.example.com/deploys/42/log',
        description: "The deploy's log (also shown as target_url)",
      }),
    ),
    description: Type.Optional(
      Type.String({ title: 'Description', description: `A short description (cut at ${MAX_DESCRIPTION} characters)` }),
    ),
    auto_inactive: Type.Optional(
      Type.Boolean({
        title: 'Auto inactive',
        description: "Mark earlier successful non-production deployments of the environment inactive; GitHub's default true",
      }),
    ),
  },
  { additionalProperties: false },
);

export type CreateDeploymentStatusConfig = Static<typeof Config>;

interface DeploymentStatus {
  id: number;
  state: string;
  url: string;
}

/** `github.createDeploymentStatus`: `POST /repos/{owner}/{repo}/deployments/{id}/statuses`. */
export const createDeploymentStatusAction = defineAction({
  name: 'github.createDeploymentStatus',
  description: 'Sets the status of a GitHub deployment (success, failure, in_progress...)',
  channels: ['success', 'failed'],
  config: Config,
  exampleOutput: { id: 209916254, state: 'success', url: 'https://api.github.com/repos/acme/api/deployments/145988746/statuses/209916254' },

  async run(ctx, config): Promise<Outcome> {
    const settings = await openGitHub(ctx, config.connection);
    const path = `${repoPath(settings, config, 'github.createDeploymentStatus')}/deployments/${encodeURIComponent(String(config.deployment_id))}/statuses`;
    let description = config.description;
    if (description !== undefined && description.length > MAX_DESCRIPTION) {
      description = `${description.slice(0, MAX_DESCRIPTION - 1)}…`;
      ctx.log(`description cut to ${MAX_DESCRIPTION} characters`);
    }
    const { json } = await githubCall<DeploymentStatus>(ctx, settings, 'POST', path, {
      state: config.state,
      ...(config.environment !== undefined ? { environment: config.environment } : {}),
      ...(config.environment_url !== undefined ? { environment_url: config.environment_url } : {}),
      ...(config.log_url !== undefined ? { log_url: config.log_url } : {}),
      ...(description !== undefined ? { description } : {}),
      ...(config.auto_inactive !== undefined ? { auto_inactive: config.auto_inactive } : {}),
    });
    return { channel: 'success', output: { id: json.id, state: json.state, url: json.url } };
  },
});
