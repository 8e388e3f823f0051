import { Type } from 'typebox';
import type { HttpClient, HttpResponse } from '../../engine/action.js';
import type { ConnectionWithSecrets } from '../../core/connection.js';
import { DEFAULT_RETRY_AFTER_MS, retryAfterMs } from '../../actions/http/status.js';
import { bodyExcerpt, failureFor, isSuccess, parseJson, successJson } from '../provider-http.js';
import { trimTrailingSlashes } from '../../core/urls.js';
import { readConnection } from '../read-connection.js';

/**
 * Datadog's API (https://docs.datadoghq.com/api/latest/): one host per site (`api.<site>`), the API
 * key in `DD-API-KEY` (the application key only for reads), errors as `{errors: [...]}` (strings,
 * or JSON:API error objects on v2), and 429 with `X-RateLimit-Reset` in seconds.
 */

export const DEFAULT_SITE = 'datadoghq.com';

export const DatadogConfig = Type.Object(
  {
    site: Type.Optional(
      Type.String({
        title: 'Datadog site',
        examples: ['datadoghq.com', 'datadoghq.eu', 'us3.datadoghq.com', 'us5.datadoghq.com', 'ap1.datadoghq.com'],
        pattern: '^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$',
        default: DEFAULT_SITE,
        description: 'Your Datadog site (the part after app. in the address you sign in at)',
      }),
    ),
    apiUrl: Type.Optional(
      Type.String({
        title: 'API URL',
        pattern: '^https?://[^\\s/]+',
        description: 'The API base URL, overriding https://api.<site> (for a proxy)',
      }),
    ),
  },
  { additionalProperties: false },
);

export const DatadogSecrets = Type.Object(
  {
    apiKey: Type.String({ title: 'API key', minLength: 1, description: 'A Datadog API key, sent as DD-API-KEY' }),
    appKey: Type.Optional(
      Type.String({
        title: 'Application key',
        description: 'An application key, sent as DD-APPLICATION-KEY (not needed for deployment events)',
      }),
    ),
  },
  { additionalProperties: false },
);

export interface DatadogAccount {
  baseUrl: string;
  site: string;
  apiKey: string;
  appKey: string | null;
}

export const datadogSchemas = { type: 'datadog', config: DatadogConfig, secrets: DatadogSecrets };

export function datadogAccount(connection: ConnectionWithSecrets): DatadogAccount {
  const { config, secrets } = readConnection(datadogSchemas, connection);
  const site = config.site ?? DEFAULT_SITE;
  const baseUrl = config.apiUrl ? trimTrailingSlashes(config.apiUrl) : `https://api.${site}`;
  return { baseUrl, site, apiKey: secrets.apiKey, appKey: secrets.appKey ?? null };
}

/** `{errors: ["..."]}` or JSON:API `{errors: [{title, detail}]}` as one line. */
function datadogMessage(response: HttpResponse): string {
  const errors = (parseJson(response.body) as { errors?: unknown } | null | undefined)?.errors;
  if (Array.isArray(errors) && errors.length > 0) {
    return errors
      .map((e) =>
        typeof e === 'string'
          ? e
          : [(e as { title?: string }).title, (e as { detail?: string }).detail].filter(Boolean).join(': ') || JSON.stringify(e),
      )
      .join('; ');
  }
  // Not JSON, or no errors in it: show the text.
  return bodyExcerpt(response);
}

/** Retry-After when sent, else X-RateLimit-Reset (seconds from now). */
function waitMs(response: HttpResponse, now: Date): number {
  if (response.headers['retry-after']) return retryAfterMs(response.headers['retry-after'], now);
  const reset = Number(response.headers['x-ratelimit-reset']);
  return Number.isFinite(reset) && reset >= 0 ? reset * 1000 : DEFAULT_RETRY_AFTER_MS;
}

export class DatadogClient {
  constructor(
    private readonly http: HttpClient,
    readonly account: DatadogAccount,
    private readonly signal?: AbortSignal,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** `body` is sent as given when a string (already JSON), else JSON-encoded. */
  async request<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const response = await this.http.request({
      method,
      url: `${this.account.baseUrl}${path}`,
      headers: {
        'dd-api-key': this.account.apiKey,
        ...(this.account.appKey ? { 'dd-application-key': this.account.appKey } : {}),
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      ...(this.signal ? { signal: this.signal } : {}),
    });
    if (isSuccess(response.status)) return { status: response.status, body: successJson<T>(response) };
    const what = `Datadog ${method} ${path} answered ${response.status}: ${datadogMessage(response)}`;
    throw failureFor(response.status, what, () => waitMs(response, this.now()));
  }
}
