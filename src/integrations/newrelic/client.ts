import { Type } from 'typebox';
import type { HttpClient, HttpResponse } from '../../engine/action.js';
import { NonRetriableError } from '../../engine/action.js';
import type { ConnectionWithSecrets } from '../../core/connection.js';
import { retryAfterMs } from '../../actions/http/status.js';
import { bodyExcerpt, failureFor, isSuccess, parseJson } from '../provider-http.js';
import { readConnection } from '../read-connection.js';

/**
 * New Relic's NerdGraph (GraphQL) API (https://docs.newrelic.com/docs/change-tracking/change-tracking-graphql/): one POST endpoint
 * per region, a user key in `API-Key`. GraphQL errors usually come with HTTP 200 and an `errors`
 * array; like New Relic's Go client, Shipline treats 401 or `BAD_API_KEY` as bad credentials
 * and `TIMEOUT` / `INTERNAL_SERVER_ERROR` / `SERVER_ERROR` as worth retrying.
 */

export const DEFAULT_API_URL = 'https://api.newrelic.com/graphql';

export const NewRelicConfig = Type.Object(
  {
    apiUrl: Type.Optional(
      Type.String({
        title: 'API URL',
        pattern: '^https?://[^\\s/]+',
        default: DEFAULT_API_URL,
        description:
          'The NerdGraph endpoint: https://api.newrelic.com/graphql (US, default) or https://api.eu.newrelic.com/graphql (EU accounts)',
      }),
    ),
  },
  { additionalProperties: false },
);

export const NewRelicSecrets = Type.Object(
  {
    apiKey: Type.String({
      title: 'API key',
      placeholder: 'NRAK-…',
      minLength: 1,
      description: 'A New Relic user key (NRAK-...), sent as API-Key',
    }),
  },
  { additionalProperties: false },
);

export interface NewRelicAccount {
  apiUrl: string;
  apiKey: string;
}

export const newRelicSchemas = { type: 'newrelic', config: NewRelicConfig, secrets: NewRelicSecrets };

export function newRelicAccount(connection: ConnectionWithSecrets): NewRelicAccount {
  const { config, secrets } = readConnection(newRelicSchemas, connection);
  return { apiUrl: config.apiUrl ?? DEFAULT_API_URL, apiKey: secrets.apiKey };
}

interface GraphQLError {
  message?: unknown;
  extensions?: { errorClass?: unknown; error_code?: unknown; code?: unknown };
}

const RETRYABLE_CLASSES = new Set(['TIMEOUT', 'INTERNAL_SERVER_ERROR', 'SERVER_ERROR']);

function errorsOf(body: unknown): GraphQLError[] {
  const errors = (body as { errors?: unknown } | null)?.errors;
  return Array.isArray(errors) ? (errors as GraphQLError[]) : [];
}

function describe(errors: GraphQLError[], response: HttpResponse): string {
  const messages = errors.map((e) => (typeof e.message === 'string' ? e.message : JSON.stringify(e)));
  return messages.length > 0 ? messages.join('; ') : bodyExcerpt(response);
}

export class NerdGraphClient {
  constructor(
    private readonly http: HttpClient,
    private readonly account: NewRelicAccount,
    private readonly signal?: AbortSignal,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Runs a query or mutation; resolves `data`, throws per the rules above. */
  async query<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const response = await this.http.request({
      method: 'POST',
      url: this.account.apiUrl,
      headers: { 'api-key': this.account.apiKey, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query, variables }),
      ...(this.signal ? { signal: this.signal } : {}),
    });
    const body = parseJson(response.body);
    const errors = errorsOf(body);
    const what = `New Relic answered ${response.status}: ${describe(errors, response)}`;
    if (response.status === 429 || response.status >= 500)
      throw failureFor(response.status, what, () => retryAfterMs(response.headers['retry-after'], this.now()));
    if (response.status === 401 || response.status === 403 || errors.some((e) => e.extensions?.error_code === 'BAD_API_KEY')) {
      throw new NonRetriableError(`New Relic refused the API key: ${describe(errors, response)}`);
    }
    if (!isSuccess(response.status)) throw new NonRetriableError(what);
    if (errors.length > 0) {
      const retryable = errors.some((e) => RETRYABLE_CLASSES.has(String(e.extensions?.errorClass ?? '')));
      const message = `New Relic: ${describe(errors, response)}`;
      throw retryable ? new Error(message) : new NonRetriableError(message);
    }
    const data = (body as { data?: unknown } | undefined)?.data;
    if (data === undefined || data === null) throw new Error(`New Relic answered ${response.status} without data`);
    return data as T;
  }
}
