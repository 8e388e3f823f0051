import { Type } from 'typebox';
import type { Static } from 'typebox';
import type { ActionContext, Outcome } from '../../engine/action.js';
import { defineAction } from '../../engine/define-action.js';
import { NonRetriableError } from '../../engine/action.js';
import { deployFacts, epochMs } from '../deploy-facts.js';
import { SentryClient, sentryAccount } from './client.js';

export const CreateDeployConfig = Type.Object(
  {
    connection: Type.String({ title: 'Connection', description: 'The Sentry connection (name)' }),
    version: Type.Optional(
      Type.String({
        title: 'Release version',
        minLength: 1,
        maxLength: 250,
        description: 'The release version, as your SDK reports it; default the deploy number or Octopus release version',
      }),
    ),
    environment: Type.Optional(
      Type.String({
        title: 'Environment',
        placeholder: 'production',
        minLength: 1,
        maxLength: 64,
        description: "The environment; default the deploy's environment",
      }),
    ),
    projects: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        title: 'Projects',
        minItems: 1,
        description: "Project slugs of the release; default the connection's project",
      }),
    ),
    name: Type.Optional(Type.String({ title: 'Deploy name', maxLength: 64, description: 'A name for the deploy' })),
    url: Type.Optional(
      Type.String({
        title: 'Deploy URL',
        placeholder: 'https://ci.example.com/deploys/42',
        description: 'A link to the deploy; default its URL (or the Octopus task)',
      }),
    ),
    dateStarted: Type.Optional(Type.String({ title: 'Started at', description: 'When it started (ISO 8601)' })),
    dateFinished: Type.Optional(
      Type.String({ title: 'Finished at', description: "When it finished (ISO 8601); default the deploy's time" }),
    ),
    ref: Type.Optional(
      Type.String({ title: 'Commit ref', description: "The commit of a release created now; default the deploy's commit SHA" }),
    ),
  },
  { additionalProperties: false },
);

export type CreateDeployConfig = Static<typeof CreateDeployConfig>;

/** Sentry's rules for a release version: what it refuses, checked before asking. */
function versionProblem(version: string): string | null {
  if (version.length > 250) return 'is longer than 250 characters';
  if (/[/\\\n\r\t]/.test(version)) return 'contains "/", "\\", a line break or a tab';
  if (['.', '..', 'latest'].includes(version.trim().toLowerCase())) return 'is reserved';
  if (version.trim() === '') return 'is empty';
  return null;
}

function iso(value: string | undefined, field: string): string | undefined {
  if (value === undefined) return undefined;
  const ms = epochMs(value);
  if (ms === null) throw new NonRetriableError(`sentry.createDeploy: ${field} "${value}" is not a time`);
  return new Date(ms).toISOString();
}

async function run(ctx: ActionContext, config: CreateDeployConfig): Promise<Outcome> {
  const account = sentryAccount(await ctx.connection(config.connection));
  const facts = deployFacts(ctx.event);
  const version = config.version ?? facts.version;
  if (!version)
    throw new NonRetriableError('sentry.createDeploy: no version (set `version`; the event has no deploy number or release version)');
  const problem = versionProblem(version);
  if (problem) throw new NonRetriableError(`sentry.createDeploy: the version "${version}" ${problem}, which Sentry refuses`);
  const environment = config.environment ?? facts.environment;
  if (!environment) throw new NonRetriableError('sentry.createDeploy: no environment (set `environment`; the event names none)');
  if (environment.length > 64)
    throw new NonRetriableError(`sentry.createDeploy: the environment "${environment}" is longer than Sentry's 64 characters`);
  const projects = config.projects ?? (account.project ? [account.project] : null);
  if (!projects) throw new NonRetriableError('sentry.createDeploy: no project (set `projects` on the step or `project` on the connection)');

  const client = new SentryClient(ctx.http, account, ctx.signal, ctx.now);
  // Creating the release is idempotent: 201 when new (or projects were added), 208 when it was there.
  const ref = config.ref ?? facts.commitSha ?? undefined;
  const release = await client.request<{ version: string }>('POST', client.orgPath('releases/'), {
    version,
    projects,
    ...(ref ? { ref } : {}),
  });
  ctx.log(`release ${version} ${release.status === 201 ? 'created' : 'already there'} for ${projects.join(', ')}`);

  const url = config.url ?? facts.url ?? undefined;
  const dateStarted = iso(config.dateStarted, 'dateStarted');
  const dateFinished = iso(config.dateFinished, 'dateFinished') ?? iso(facts.at, 'the event time');
  const body = {
    environment,
    ...(config.name ? { name: config.name } : {}),
    ...(url ? { url } : {}),
    ...(dateStarted ? { dateStarted } : {}),
    ...(dateFinished ? { dateFinished } : {}),
    ...(config.projects ? { projects: config.projects } : {}),
  };
  const deploy = await client.request<{ id: string; environment: string }>(
    'POST',
    client.orgPath(`releases/${encodeURIComponent(version)}/deploys/`),
    body,
  );
  ctx.log(`deploy ${deploy.body.id} of ${version} to ${environment} recorded in Sentry`);
  return { channel: 'success', output: { id: deploy.body.id, version, environment: deploy.body.environment ?? environment } };
}

export const createDeployAction = defineAction({
  name: 'sentry.createDeploy',
  description: 'Records a deploy of a Sentry release (creating the release if needed), filled in from the triggering deploy',
  channels: ['success', 'failed'],
  config: CreateDeployConfig,
  exampleOutput: { id: '1234567', version: '1.4.2', environment: 'production' },
  run,
});
