import { Type } from 'typebox';
import { parseDatetime } from '../../core/datetime.js';
import { environmentKey } from '../../core/environments.js';
import { ShiplineError } from '../../core/errors.js';
import { DEPLOY_STATUSES } from '../../core/vocabulary.js';
import type { Store } from '../../store/index.js';
import { Run } from '../engine-schemas.js';
import { Deploy, DeployDetail, Environment, ErrorResponses, List, Page, PageQuery } from '../schemas.js';
import type { App } from './types.js';
import { linkUsers } from './users.js';

const tags = ['deploys'];

const DeployQuery = Type.Object({
  service: Type.Optional(
    Type.String({
      minLength: 1,
      description: 'Service id, name or alias (also an alias no service claims yet); service.not_found when it is neither',
    }),
  ),
  environment: Type.Optional(Type.String({ minLength: 1, description: 'Compared trimmed and case-insensitively' })),
  status: Type.Optional(
    Type.Union(
      DEPLOY_STATUSES.map((s) => Type.Literal(s)),
      { description: 'The status as the deploy reads: a deploy marked failed is failed' },
    ),
  ),
  source: Type.Optional(Type.String({ minLength: 1, description: 'custom (a deploy endpoint), octopus, github, ...' })),
  endpoint: Type.Optional(Type.String({ minLength: 1, description: 'The name of the deploy endpoint it came through' })),
  since: Type.Optional(Type.String({ description: 'Deployed at or after this datetime (ISO 8601 or YYYY-MM-DD HH:MM:SS UTC)' })),
  until: Type.Optional(Type.String({ description: 'Deployed at or before this datetime' })),
  ...PageQuery,
});

function datetimeParam(name: string, raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const parsed = parseDatetime(raw);
  if (!parsed) throw new ShiplineError('request.invalid', `querystring/${name} must be a datetime (ISO 8601 or YYYY-MM-DD HH:MM:SS)`);
  return parsed;
}

export function deployRoutes(store: Store) {
  return async (app: App) => {
    app.get(
      '/deploys',
      {
        config: { minRole: 'read' },
        schema: {
          summary: 'List deploys, newest first',
          tags,
          querystring: DeployQuery,
          response: { 200: Page(Deploy), ...ErrorResponses },
        },
      },
      async (request) => {
        const q = request.query;
        return store.deploys.list({ ...q, since: datetimeParam('since', q.since), until: datetimeParam('until', q.until) });
      },
    );

    app.get(
      '/deploys/:id',
      {
        config: { minRole: 'read' },
        schema: {
          summary: "Show a deploy, with its deployer's Shipline user and its failure mark",
          tags,
          params: Type.Object({ id: Type.String() }),
          response: { 200: DeployDetail, ...ErrorResponses },
        },
      },
      async (request) => {
        const [deploy] = await linkUsers(store.users, [await store.deploys.get(request.params.id)]);
        return {
          ...deploy!,
          failure: await store.insights.markOf(deploy!.id),
          reportedStatus: (await store.insights.reportedStatusOf(deploy!.id)) ?? deploy!.status,
        };
      },
    );

    app.get(
      '/deploys/:id/runs',
      {
        config: { minRole: 'read' },
        schema: {
          summary:
            "The runs started by the events about a deploy (deploy.recorded, deploy.updated, deploy.failed, deploy.marked_failed, its Octopus deployment's events), newest first",
          tags,
          params: Type.Object({ id: Type.String() }),
          response: { 200: List(Run), ...ErrorResponses },
        },
      },
      async (request) => {
        const deploy = await store.deploys.get(request.params.id);
        return { items: await store.runs.forEvents(await store.events.aboutDeploy(deploy)) };
      },
    );

    app.get(
      '/environments',
      {
        config: { minRole: 'read' },
        schema: {
          summary: 'Environments seen in deploys, each with the latest deploy of every service there',
          tags,
          response: { 200: List(Environment), ...ErrorResponses },
        },
      },
      async () => {
        const tiers = new Map((await store.environments.list()).map((e) => [e.key, e]));
        const items = (await store.deploys.environments()).map((env) => {
          const seen = tiers.get(environmentKey(env.name));
          return seen ? { ...env, name: seen.name, tier: seen.tier, tierSource: seen.tierSource } : env;
        });
        return { items };
      },
    );
  };
}
