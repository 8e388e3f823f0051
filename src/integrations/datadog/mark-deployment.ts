import { Type } from 'typebox';
import type { Static } from 'typebox';
import type { ActionContext, Outcome } from '../../engine/action.js';
import { defineAction } from '../../engine/define-action.js';
import { NonRetriableError } from '../../engine/action.js';
import { deployFacts, epochMs } from '../deploy-facts.js';
import { DatadogClient, datadogAccount } from './client.js';

const ID_PATTERN = /^[a-zA-Z0-9\-_.:]{16,128}$/;

export const MarkDeploymentConfig = Type.Object(
  {
    connection: Type.String({ title: 'Connection', description: 'The Datadog connection (name)' }),
    service: Type.Optional(
      Type.String({
        title: 'Service',
        minLength: 1,
        description: "The service deployed; default the deploy's service (or the Octopus project)",
      }),
    ),
    env: Type.Optional(
      Type.String({
        title: 'Environment',
        placeholder: 'production',
        minLength: 1,
        description: "The environment; default the deploy's environment",
      }),
    ),
    version: Type.Optional(
      Type.String({ title: 'Version', minLength: 1, description: 'The version; default the deploy number or Octopus release version' }),
    ),
    startedAt: Type.Optional(
      Type.String({ title: 'Started at', description: 'When the deploy started (ISO 8601 or epoch ms); default when it finished' }),
    ),
    finishedAt: Type.Optional(
      Type.String({ title: 'Finished at', description: "When the deploy finished (ISO 8601 or epoch ms); default the deploy's time" }),
    ),
    commitSha: Type.Optional(
      Type.String({ title: 'Commit SHA', description: "The commit deployed; default the deploy's commit (sent only with repositoryUrl)" }),
    ),
    repositoryUrl: Type.Optional(
      Type.String({
        title: 'Repository URL',
        placeholder: 'https://github.com/acme/api',
        description: 'The git repository, e.g. https://github.com/acme/api; needed for change lead time',
      }),
    ),
    team: Type.Optional(Type.String({ title: 'Team', description: "The owning team; default what Datadog's service catalog says" })),
    id: Type.Optional(
      Type.String({
        title: 'Deployment ID',
        pattern: ID_PATTERN.source,
        description: "The deployment's id (16–128 of a-z A-Z 0-9 - _ . :); default one made from the deploy's id",
      }),
    ),
    tags: Type.Optional(
      Type.Array(Type.String({ pattern: '^[^:\\s]+:\\S+$' }), {
        title: 'Tags',
        description: 'key:value tags; default ["source:shipline"]',
      }),
    ),
  },
  { additionalProperties: false },
);

export type MarkDeploymentConfig = Static<typeof MarkDeploymentConfig>;

/** Milliseconds to Datadog's nanoseconds, exactly (a JS number cannot hold them). */
function nanoseconds(ms: number): bigint {
  return BigInt(Math.round(ms)) * 1_000_000n;
}

function time(value: string, field: string): number {
  const ms = epochMs(value);
  if (ms === null) throw new NonRetriableError(`datadog.markDeployment: ${field} "${value}" is neither ISO 8601 nor epoch milliseconds`);
  return ms;
}

/** JSON with bigints written as numbers. */
function toJson(value: unknown): string {
  const marker = '\u0000bigint:';
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${marker}${v}` : v)).replace(/"\\u0000bigint:(\d+)"/g, '$1');
}

async function run(ctx: ActionContext, config: MarkDeploymentConfig): Promise<Outcome> {
  const account = datadogAccount(await ctx.connection(config.connection));
  const facts = deployFacts(ctx.event);
  const service = config.service ?? facts.service;
  if (!service) throw new NonRetriableError('datadog.markDeployment: no service (set `service`; the event names none)');
  const finished = config.finishedAt !== undefined ? time(config.finishedAt, 'finishedAt') : time(facts.at, 'the event time');
  const started = config.startedAt !== undefined ? time(config.startedAt, 'startedAt') : finished;
  if (started > finished) throw new NonRetriableError('datadog.markDeployment: startedAt is after finishedAt');

  const commitSha = config.commitSha ?? facts.commitSha;
  // Datadog needs both or neither; a commit without its repository would be refused.
  if (commitSha && !config.repositoryUrl) ctx.log('no repositoryUrl: the commit is not sent, so Datadog cannot compute change lead time');
  const derivedId = facts.id ? `shipline-${facts.id}`.replace(/[^a-zA-Z0-9\-_.:]/g, '-').slice(0, 128) : undefined;
  const id = config.id ?? (derivedId && ID_PATTERN.test(derivedId) ? derivedId : undefined);
  const env = config.env ?? facts.environment;
  const version = config.version ?? facts.version;

  const attributes: Record<string, unknown> = {
    service,
    started_at: nanoseconds(started),
    finished_at: nanoseconds(finished),
    ...(env ? { env } : {}),
    ...(version ? { version } : {}),
    ...(commitSha && config.repositoryUrl ? { git: { commit_sha: commitSha, repository_url: config.repositoryUrl } } : {}),
    ...(config.team ? { team: config.team } : {}),
    ...(id ? { id } : {}),
    custom_tags: config.tags ?? ['source:shipline'],
  };
  const client = new DatadogClient(ctx.http, account, ctx.signal, ctx.now);
  const answer = await client.request<{ data?: { id?: string } }>('POST', '/api/v2/dora/deployment', toJson({ data: { attributes } }));
  const eventId = answer.body.data?.id ?? null;
  // 202: accepted, but Datadog is processing with a delay (an incident on their side).
  const delayed = answer.status === 202;
  ctx.log(`recorded deployment of ${service}${env ? ` to ${env}` : ''} in Datadog: ${eventId}${delayed ? ' (delayed)' : ''}`);
  return { channel: 'success', output: { id: eventId, delayed } };
}

export const markDeploymentAction = defineAction({
  name: 'datadog.markDeployment',
  description: 'Sends a DORA deployment event to Datadog, filled in from the triggering deploy',
  channels: ['success', 'failed'],
  config: MarkDeploymentConfig,
  exampleOutput: { id: '4242fcdd31586083', delayed: false },
  run,
});
