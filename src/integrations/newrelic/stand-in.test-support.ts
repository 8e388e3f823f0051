import { randomUUID } from 'node:crypto';
import { jsonAnswer, recorded, StandIn } from '../stand-in-base.test-support.js';
import type { BodyAnswer, RecordedRequest } from '../stand-in-base.test-support.js';

/**
 * A local stand-in for New Relic's NerdGraph endpoint (https://docs.newrelic.com/docs/change-tracking/change-tracking-graphql/):
 * `POST /graphql` with a user key in `API-Key` and a JSON `{query, variables}` body. It answers
 * the three operations Shipline sends — `{ actor { user { name email } } }`, an `entitySearch`
 * and `changeTrackingCreateDeployment` with a `ChangeTrackingDeploymentInput!` variable — and
 * checks the input as NerdGraph does: unknown or missing fields, the deployment type enum, a
 * timestamp within ±24 h, an entity that exists. GraphQL errors come, as from New Relic, with
 * HTTP 200 and an `errors` array; a bad key gets 401 with `BAD_API_KEY` (New Relic's Go client
 * handles both forms). Every request is recorded with its raw body; `failNext` queues answers.
 * The wording of the not-found and timestamp errors is *(inferred)*; their shape is documented.
 */

export type { RecordedRequest };
export type NewRelicAnswer = BodyAnswer;

export interface Entity {
  guid: string;
  name: string;
  domain: string;
  type: string;
}

export const NEWRELIC_KEY = 'NRAK-STANDIN0000000000000000000';

export const ENTITIES: Entity[] = [
  { guid: 'MXxBUE18QVBQTElDQVRJT058MTIz', name: 'api', domain: 'APM', type: 'APPLICATION' },
  { guid: 'MXxBUE18QVBQTElDQVRJT058NDU2', name: 'checkout', domain: 'APM', type: 'APPLICATION' },
  { guid: 'MXxBUE18QVBQTElDQVRJT058Nzg5', name: 'twin', domain: 'APM', type: 'APPLICATION' },
  { guid: 'MnxBUE18QVBQTElDQVRJT058Nzg5', name: 'twin', domain: 'APM', type: 'APPLICATION' },
];

const INPUT_FIELDS = [
  'entityGuid',
  'version',
  'changelog',
  'commit',
  'deepLink',
  'deploymentType',
  'description',
  'groupId',
  'timestamp',
  'user',
];
const DEPLOYMENT_TYPES = ['BASIC', 'BLUE_GREEN', 'CANARY', 'ROLLING', 'SHADOW', 'OTHER'];
const DAY_MS = 24 * 60 * 60 * 1000;

/** New Relic's recorded answers (fixtures/). */
const ACTOR = recorded(import.meta.url, 'actor-user-response.json');
const CREATED = recorded<{ data: { changeTrackingCreateDeployment: Record<string, unknown> } }>(
  import.meta.url,
  'create-deployment-response.json',
);
const OUT_OF_RANGE = recorded<{ data: unknown; errors: Array<{ message: string; path: string[]; extensions: Record<string, unknown> }> }>(
  import.meta.url,
  'error-response.json',
);

const json = (status: number, body: unknown, headers: Record<string, string> = {}): NewRelicAnswer => jsonAnswer(status, body, headers);
const graphqlErrors = (data: unknown, ...errors: Array<{ message: string; path?: string[]; extensions?: Record<string, unknown> }>) =>
  json(200, data === undefined ? { errors } : { data, errors });

export class NewRelicStandIn extends StandIn {
  readonly deployments: Array<Record<string, unknown> & { deploymentId: string }> = [];
  readonly violations: string[] = [];

  /** The NerdGraph endpoint, as a connection's apiUrl. */
  get apiUrl(): string {
    return `${this.url}/graphql`;
  }

  reset(): void {
    this.http.clear();
    this.deployments.length = 0;
    this.violations.length = 0;
  }

  protected answer(req: RecordedRequest): NewRelicAnswer {
    if (req.path !== '/graphql') return { status: 404, headers: { 'content-type': 'text/plain' }, body: 'Not Found' };
    if (req.method !== 'POST') return json(405, { errors: [{ message: 'Method not allowed' }] });
    if (req.headers['api-key'] !== NEWRELIC_KEY) {
      return json(401, { errors: [{ message: 'Invalid API key', extensions: { error_code: 'BAD_API_KEY' } }] });
    }
    if (!/^application\/json\b/.test(req.headers['content-type'] ?? ''))
      return json(400, { errors: [{ message: 'Must provide query string.' }] });
    const body = req.json as { query?: unknown; variables?: unknown } | undefined;
    if (typeof body?.query !== 'string') return json(400, { errors: [{ message: 'Must provide query string.' }] });
    const variables = (body.variables ?? {}) as Record<string, unknown>;
    if (body.query.includes('changeTrackingCreateDeployment')) return this.createDeployment(body.query, variables);
    if (body.query.includes('entitySearch')) return this.entitySearch(body.query, variables);
    if (/actor\s*\{\s*user\s*\{/.test(body.query)) return json(200, ACTOR);
    return graphqlErrors(undefined, { message: 'Stand-in does not know this operation' });
  }

  private createDeployment(query: string, variables: Record<string, unknown>): NewRelicAnswer {
    const declared = /\(\s*\$(\w+)\s*:\s*ChangeTrackingDeploymentInput!\s*\)/.exec(query);
    if (!declared || !new RegExp(`changeTrackingCreateDeployment\\s*\\(\\s*deployment\\s*:\\s*\\$${declared[1]}\\s*\\)`).test(query)) {
      this.violations.push('changeTrackingCreateDeployment without a ChangeTrackingDeploymentInput! variable');
      return graphqlErrors(undefined, { message: 'Variable for deployment must be declared as ChangeTrackingDeploymentInput!' });
    }
    const name = declared[1]!;
    const input = variables[name] as Record<string, unknown> | undefined;
    const invalid = (why: string) =>
      graphqlErrors(undefined, {
        message: `Variable $${name} of type ChangeTrackingDeploymentInput! was provided invalid value${why}`,
        extensions: { errorClass: 'INVALID_INPUT' },
      });
    if (!input || typeof input !== 'object') return invalid(' (Expected value to not be null)');
    for (const key of Object.keys(input))
      if (!INPUT_FIELDS.includes(key)) return invalid(` for ${key} (Field is not defined on ChangeTrackingDeploymentInput)`);
    for (const key of ['entityGuid', 'version'])
      if (typeof input[key] !== 'string' || input[key] === '') return invalid(` for ${key} (Expected value to not be null)`);
    for (const key of ['changelog', 'commit', 'deepLink', 'description', 'groupId', 'user']) {
      if (input[key] !== undefined && typeof input[key] !== 'string') return invalid(` for ${key} (Could not coerce value to String)`);
    }
    if (input.deploymentType !== undefined && !DEPLOYMENT_TYPES.includes(input.deploymentType as string)) {
      return invalid(` for deploymentType (Expected type ChangeTrackingDeploymentType)`);
    }
    const path = ['changeTrackingCreateDeployment'];
    const data = { changeTrackingCreateDeployment: null };
    if (input.timestamp !== undefined) {
      if (!Number.isInteger(input.timestamp)) return invalid(' for timestamp (Expected type EpochMilliseconds)');
      if (Math.abs((input.timestamp as number) - Date.now()) > DAY_MS) {
        return json(200, OUT_OF_RANGE);
      }
    }
    if (!ENTITIES.some((e) => e.guid === input.entityGuid)) {
      return graphqlErrors(data, {
        message: `Entity with guid ${String(input.entityGuid)} not found`,
        path,
        extensions: { errorClass: 'NOT_FOUND' },
      });
    }
    const deployment = { ...input, deploymentId: randomUUID(), timestamp: (input.timestamp as number | undefined) ?? Date.now() };
    this.deployments.push(deployment);
    return json(200, {
      data: {
        changeTrackingCreateDeployment: {
          ...CREATED.data.changeTrackingCreateDeployment,
          deploymentId: deployment.deploymentId,
          entityGuid: input.entityGuid,
          timestamp: deployment.timestamp,
          version: input.version,
        },
      },
    });
  }

  /** A small subset of the entity search language: `attribute = 'value'` terms joined by AND. */
  private entitySearch(query: string, variables: Record<string, unknown>): NewRelicAnswer {
    const declared = /\$(\w+)\s*:\s*String!?/.exec(query);
    const search = declared ? variables[declared[1]!] : undefined;
    if (typeof search !== 'string') return graphqlErrors(undefined, { message: 'entitySearch needs a query' });
    const terms = search.split(/\s+AND\s+/i).map((term) => /^\s*(\w+)\s*=\s*'([^']*)'\s*$/.exec(term));
    if (terms.some((t) => t === null)) {
      return graphqlErrors({ actor: { entitySearch: null } }, { message: `Invalid query: ${search}`, path: ['actor', 'entitySearch'] });
    }
    const attribute = (e: Entity, key: string) => (key === 'id' ? e.guid : (e as unknown as Record<string, string>)[key]);
    const entities = ENTITIES.filter((e) => terms.every((t) => attribute(e, t![1]!) === t![2])).map((e) => ({
      guid: e.guid,
      name: e.name,
      entityType: `${e.domain}_${e.type}_ENTITY`,
    }));
    return json(200, { data: { actor: { entitySearch: { results: { entities } } } } });
  }
}
