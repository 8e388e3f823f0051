import { Type } from 'typebox';
import type { HttpClient, HttpResponse } from '../../engine/action.js';
import type { ConnectionWithSecrets } from '../../core/connection.js';
import { DEFAULT_RETRY_AFTER_MS, retryAfterMs } from '../../actions/http/status.js';
import { bodyExcerpt, failureFor, isSuccess, parseJson, successJson } from '../provider-http.js';
import { trimTrailingSlashes } from '../../core/urls.js';
import { readConnection } from '../read-connection.js';

/**
 * Sentry's web API (https://docs.sentry.io/api/): `<apiUrl>/api/0/...` with trailing
 * slashes, a Bearer auth token, errors as `{detail}` or `{field: [messages]}`, and 429 with
 * `X-Sentry-Rate-Limit-Reset` (epoch seconds). 208 (release already there) counts as success.
 */

export const DEFAULT_API_URL = 'https://sentry.io';

export const SentryConfig = Type.Object(
  {
    apiUrl: Type.Optional(
      Type.String({
        title: 'API URL',
        pattern: '^https?://[^\\s/]+',
        default: DEFAULT_API_URL,
        description: "Sentry's address: https://sentry.io (default), a region such as https://de.sentry.io, or your self-hosted Sentry",
      }),
    ),
    organization: Type.String({ title: 'Organization', placeholder: 'acme', minLength: 1, description: "The organization's slug (or id)" }),
    project: Type.Optional(
      Type.String({
        title: 'Default project',
        placeholder: 'shop',
        description: 'Default project slug for releases when a step names none',
      }),
    ),
  },
  { additionalProperties: false },
);

export const SentrySecrets = Type.Object(
  {
    authToken: Type.String({
      title: 'Auth token',
      minLength: 1,
      description: 'An auth token with project:releases (or org:ci) scope, sent as a Bearer token',
    }),
  },
  { additionalProperties: false },
);

export interface SentryAccount {
  apiUrl: string;
  organization: string;
  project: string | null;
  authToken: string;
}

export const sentrySchemas = { type: 'sentry', config: SentryConfig, secrets: SentrySecrets };

export function sentryAccount(connection: ConnectionWithSecrets): SentryAccount {
  const { config, secrets } = readConnection(sentrySchemas, connection);
  return {
    apiUrl: trimTrailingSlashes(config.apiUrl ?? DEFAULT_API_URL),
    organization: config.organization,
    project: config.project ?? null,
    authToken: secrets.authToken,
  };
}

/** `{detail}` or Django REST framework's `{field: ["message"]}` as one line. */
function sentryMessage(response: HttpResponse): string {
  const body = parseJson(response.body);
  if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
    const detail = (body as { detail?: unknown }).detail;
    if (typeof detail === 'string') return detail;
    const parts = Object.entries(body).map(
      ([field, messages]) => `${field}: ${Array.isArray(messages) ? messages.join(' ') : JSON.stringify(messages)}`,
    );
    if (parts.length > 0) return parts.join('; ');
  }
  // Not JSON, or nothing in it: show the text.
  return bodyExcerpt(response);
}

export class SentryClient {
  constructor(
    private readonly http: HttpClient,
    readonly account: SentryAccount,
    private readonly signal?: AbortSignal,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** `path` below `/api/0/organizations/<org>/`, e.g. `releases/`. */
  orgPath(path = ''): string {
    return `/api/0/organizations/${encodeURIComponent(this.account.organization)}/${path}`;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const response = await this.http.request({
      method,
      url: `${this.account.apiUrl}${path}`,
      headers: {
        authorization: `Bearer ${this.account.authToken}`,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...(this.signal ? { signal: this.signal } : {}),
    });
    if (isSuccess(response.status)) return { status: response.status, body: successJson<T>(response) };
    const what = `Sentry ${method} ${path} answered ${response.status}: ${sentryMessage(response)}`;
    throw failureFor(response.status, what, () => this.waitMs(response));
  }

  /** Retry-After (seconds) when sent, else until X-Sentry-Rate-Limit-Reset (epoch seconds). */
  private waitMs(response: HttpResponse): number {
    if (response.headers['retry-after']) return retryAfterMs(response.headers['retry-after'], this.now());
    const reset = Number(response.headers['x-sentry-rate-limit-reset']);
    if (!response.headers['x-sentry-rate-limit-reset'] || !Number.isFinite(reset)) return DEFAULT_RETRY_AFTER_MS;
    return Math.max(0, reset * 1000 - this.now().getTime());
  }
}
