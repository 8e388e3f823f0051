import { Type } from 'typebox';
import type { Static } from 'typebox';
import type { ActionContext, Outcome } from '../../engine/action.js';
import { defineAction } from '../../engine/define-action.js';
import { NonRetriableError } from '../../engine/action.js';
import { deployFacts, epochMs } from '../deploy-facts.js';
import { NerdGraphClient, newRelicAccount } from './client.js';

/** New Relic refuses a timestamp more than 24 h away from now. */
const WINDOW_MS = 24 * 60 * 60 * 1000;

export const MarkDeploymentConfig = Type.Object(
  {
    connection: Type.String({ title: 'Connection', description: 'The New Relic connection (name)' }),
    entityGuid: Type.Optional(
      Type.String({ title: 'Entity GUID', minLength: 1, description: 'The entity to mark (its GUID); or use entitySearch' }),
    ),
    entitySearch: Type.Optional(
      Type.String({
        title: 'Entity search',
        placeholder: "name = 'api' AND domain = 'APM'",
        minLength: 1,
        description:
          "An entity search that finds exactly one entity, e.g. \"name = 'api' AND domain = 'APM'\"; default: the APM application named like the deploy's service",
      }),
    ),
    version: Type.Optional(
      Type.String({
        title: 'Version',
        minLength: 1,
        description: 'The version deployed; default the deploy number or Octopus release version',
      }),
    ),
    changelog: Type.Optional(Type.String({ title: 'Changelog', description: 'What changed, or a link to it' })),
    commit: Type.Optional(Type.String({ title: 'Commit', description: "The commit deployed; default the deploy's commit SHA" })),
    deepLink: Type.Optional(
      Type.String({
        title: 'Deep link',
        placeholder: 'https://ci.example.com/deploys/42',
        description: 'A link to the deploy; default its URL (or the Octopus task)',
      }),
    ),
    user: Type.Optional(Type.String({ title: 'User', description: "Who deployed; default the deployer's email or name" })),
    description: Type.Optional(
      Type.String({ title: 'Description', description: "Default the deploy's description (or the Octopus message)" }),
    ),
    deploymentType: Type.Optional(
      Type.Enum(['BASIC', 'BLUE_GREEN', 'CANARY', 'ROLLING', 'SHADOW', 'OTHER'], {
        title: 'Deployment type',
        description: 'How it was rolled out',
      }),
    ),
    groupId: Type.Optional(
      Type.String({ title: 'Group ID', description: 'Groups deployments that belong together, e.g. one release over several services' }),
    ),
    timestamp: Type.Optional(
      Type.String({
        title: 'Timestamp',
        placeholder: '2026-01-31T09:00:00Z',
        description: "When it happened (ISO 8601 or epoch ms, within 24 h of now); default the deploy's time, or now when that is older",
      }),
    ),
  },
  { additionalProperties: false },
);

export type MarkDeploymentConfig = Static<typeof MarkDeploymentConfig>;

const CREATE = `mutation ($deployment: ChangeTrackingDeploymentInput!) {
  changeTrackingCreateDeployment(deployment: $deployment) { deploymentId entityGuid timestamp version }
}`;

const SEARCH = `query ($query: String!) {
  actor { entitySearch(query: $query) { results { entities { guid name entityType } } } }
}`;

interface Created {
  changeTrackingCreateDeployment: { deploymentId: string; entityGuid: string; timestamp?: number; version?: string } | null;
}

interface Found {
  actor: { entitySearch: { results: { entities: Array<{ guid: string; name: string; entityType?: string }> } } | null };
}

async function resolveEntity(client: NerdGraphClient, ctx: ActionContext, search: string): Promise<string> {
  const found = await client.query<Found>(SEARCH, { query: search });
  const entities = found.actor.entitySearch?.results.entities ?? [];
  if (entities.length !== 1) {
    const names = entities
      .slice(0, 5)
      .map((e) => `${e.name} (${e.guid})`)
      .join(', ');
    throw new NonRetriableError(
      entities.length === 0
        ? `newrelic.markDeployment: no entity matches ${search}`
        : `newrelic.markDeployment: ${entities.length} entities match ${search}: ${names}${entities.length > 5 ? ', ...' : ''}; set entityGuid or narrow entitySearch`,
    );
  }
  ctx.log(`entity search ${search} found ${entities[0]!.name} (${entities[0]!.guid})`);
  return entities[0]!.guid;
}

function timestampOf(ctx: ActionContext, config: MarkDeploymentConfig, at: string): number | undefined {
  if (config.timestamp !== undefined) {
    const ms = epochMs(config.timestamp);
    if (ms === null)
      throw new NonRetriableError(`newrelic.markDeployment: timestamp "${config.timestamp}" is neither ISO 8601 nor epoch milliseconds`);
    return ms;
  }
  const ms = epochMs(at);
  // A late or replayed event would be refused; New Relic's own "now" is the better answer.
  if (ms === null || Math.abs(ms - ctx.now().getTime()) > WINDOW_MS) {
    ctx.log(`the event's time ${at} is more than 24 h away; New Relic will use now`);
    return undefined;
  }
  return ms;
}

async function run(ctx: ActionContext, config: MarkDeploymentConfig): Promise<Outcome> {
  const account = newRelicAccount(await ctx.connection(config.connection));
  const facts = deployFacts(ctx.event);
  const version = config.version ?? facts.version;
  if (!version)
    throw new NonRetriableError('newrelic.markDeployment: no version (set `version`; the event has no deploy number or release version)');
  const client = new NerdGraphClient(ctx.http, account, ctx.signal, ctx.now);

  let entityGuid = config.entityGuid;
  if (!entityGuid) {
    let search = config.entitySearch;
    if (!search) {
      if (!facts.service)
        throw new NonRetriableError('newrelic.markDeployment: set entityGuid or entitySearch (the event names no service)');
      if (facts.service.includes("'"))
        throw new NonRetriableError(
          `newrelic.markDeployment: set entityGuid or entitySearch (cannot search for the name ${facts.service})`,
        );
      search = `domain = 'APM' AND type = 'APPLICATION' AND name = '${facts.service}'`;
    }
    entityGuid = await resolveEntity(client, ctx, search);
  }

  const optional = {
    changelog: config.changelog,
    commit: config.commit ?? facts.commitSha ?? undefined,
    deepLink: config.deepLink ?? facts.url ?? undefined,
    user: config.user ?? facts.user ?? undefined,
    description: config.description ?? facts.description ?? undefined,
    deploymentType: config.deploymentType,
    groupId: config.groupId,
    timestamp: timestampOf(ctx, config, facts.at),
  };
  const deployment: Record<string, unknown> = { entityGuid, version };
  for (const [key, value] of Object.entries(optional)) if (value !== undefined && value !== '') deployment[key] = value;

  const created = (await client.query<Created>(CREATE, { deployment })).changeTrackingCreateDeployment;
  if (!created) throw new Error('New Relic created no deployment and reported no error');
  ctx.log(`marked ${version} on ${created.entityGuid}: deployment ${created.deploymentId}`);
  return { channel: 'success', output: { deploymentId: created.deploymentId, entityGuid: created.entityGuid, version } };
}

export const markDeploymentAction = defineAction({
  name: 'newrelic.markDeployment',
  description: 'Records a deployment marker on a New Relic entity (change tracking), filled in from the triggering deploy',
  channels: ['success', 'failed'],
  config: MarkDeploymentConfig,
  exampleOutput: { deploymentId: '8a3a594c-e726-4bc2-8078-26dffec9a3d8', entityGuid: 'MXxBUE18QVBQTElDQVRJT058MTIz', version: '1.4.2' },
  run,
});
