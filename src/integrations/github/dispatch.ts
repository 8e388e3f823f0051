import { Type } from 'typebox';
import type { Static } from 'typebox';
import type { Outcome } from '../../engine/action.js';
import { defineAction } from '../../engine/define-action.js';
import { NonRetriableError } from '../../engine/action.js';
import { githubCall, openGitHub, repoPath } from './client.js';
import { REPOSITORY_FIELDS } from './repository-fields.js';

/** GitHub's limits on a repository_dispatch (https://docs.github.com/en/rest/repos/repos#create-a-repository-dispatch-event). */
export const MAX_EVENT_TYPE = 100;
export const MAX_PAYLOAD_KEYS = 10;

const Config = Type.Object(
  {
    ...REPOSITORY_FIELDS,
    event_type: Type.String({
      title: 'Event type',
      placeholder: 'deploy',
      minLength: 1,
      description: `What workflows filter on (on: repository_dispatch: types: [...]); at most ${MAX_EVENT_TYPE} characters`,
    }),
    client_payload: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), {
        title: 'Client payload',
        description: `Data for the workflow (github.event.client_payload); at most ${MAX_PAYLOAD_KEYS} top-level keys`,
      }),
    ),
  },
  { additionalProperties: false },
);

export type DispatchConfig = Static<typeof Config>;

/**
 * `github.dispatch`: a repository_dispatch event (`POST /repos/{owner}/{repo}/dispatches`, 204),
 * which starts the default branch's workflows that listen for it. GitHub's limits are checked
 * first, so an oversized payload fails with the limit named instead of GitHub's 422.
 */
export const dispatchAction = defineAction({
  name: 'github.dispatch',
  description: 'Starts GitHub Actions workflows with a repository_dispatch event',
  channels: ['success', 'failed'],
  config: Config,
  exampleOutput: { dispatched: true },

  async run(ctx, config): Promise<Outcome> {
    if (config.event_type.length > MAX_EVENT_TYPE) {
      throw new NonRetriableError(
        `github.dispatch: event_type is ${config.event_type.length} characters; GitHub allows at most ${MAX_EVENT_TYPE}`,
      );
    }
    const keys = Object.keys(config.client_payload ?? {});
    if (keys.length > MAX_PAYLOAD_KEYS) {
      throw new NonRetriableError(
        `github.dispatch: client_payload has ${keys.length} top-level keys; GitHub allows at most ${MAX_PAYLOAD_KEYS} (nest the rest in an object)`,
      );
    }
    const settings = await openGitHub(ctx, config.connection);
    const path = `${repoPath(settings, config, 'github.dispatch')}/dispatches`;
    await githubCall(ctx, settings, 'POST', path, {
      event_type: config.event_type,
      ...(config.client_payload ? { client_payload: config.client_payload } : {}),
    });
    return { channel: 'success', output: { dispatched: true } };
  },
});
