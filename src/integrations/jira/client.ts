import { Type } from 'typebox';
import type { HttpClient, HttpResponse } from '../../engine/action.js';
import { NonRetriableError, RetryAfterError } from '../../engine/action.js';
import type { ConnectionWithSecrets } from '../../core/connection.js';
import { DEFAULT_RETRY_AFTER_MS, retryAfterMs } from '../../actions/http/status.js';
import { bodyExcerpt, failureFor, isSuccess, parseJson, successJson } from '../provider-http.js';
import type { AdfDocument } from './adf.js';
import { trimTrailingSlashes } from '../../core/urls.js';
import { readConnection } from '../read-connection.js';

/**
 * Jira Cloud's REST API v3 as Shipline uses it (https://developer.atlassian.com/cloud/jira/platform/rest/v3/intro/): Basic auth
 * with the account's email and an API token, JSON both ways, errors as
 * `{errorMessages: [...], errors: {field: message}}`.
 */

export const JiraConfig = Type.Object(
  {
    siteUrl: Type.String({
      title: 'Site URL',
      placeholder: 'https://your-site.atlassian.net',
      pattern: '^https?://[^\\s/]+',
      description: 'Your Jira Cloud site, e.g. https://your-site.atlassian.net',
    }),
    email: Type.String({
      title: 'Account email',
      placeholder: 'bot@example.com',
      minLength: 3,
      description: 'The Atlassian account the API token belongs to',
    }),
    project: Type.Optional(
      Type.String({
        title: 'Default project',
        placeholder: 'OPS',
        description: 'Default project key for jira.createIssue steps that name none, e.g. OPS',
      }),
    ),
  },
  { additionalProperties: false },
);

export const JiraSecrets = Type.Object(
  {
    apiToken: Type.String({
      title: 'API token',
      minLength: 1,
      description: 'An API token of that account (id.atlassian.com → Security → API tokens)',
    }),
  },
  { additionalProperties: false },
);

export interface JiraSite {
  siteUrl: string;
  email: string;
  apiToken: string;
  project: string | null;
}

export const jiraSchemas = { type: 'jira', config: JiraConfig, secrets: JiraSecrets };

export function jiraSite(connection: ConnectionWithSecrets): JiraSite {
  const { config, secrets } = readConnection(jiraSchemas, connection);
  return { siteUrl: trimTrailingSlashes(config.siteUrl), email: config.email, apiToken: secrets.apiToken, project: config.project ?? null };
}

/** Jira refused the request (4xx): asking again cannot help. */
export class JiraError extends NonRetriableError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface JiraIssueCreated {
  id: string;
  key: string;
  self: string;
}

export interface JiraMyself {
  accountId: string;
  displayName: string;
  emailAddress?: string;
}

/** `{errorMessages, errors}` as one line; a non-JSON body (a 401 is plain text) as its text. */
export function jiraMessage(response: HttpResponse): string {
  const body = parseJson(response.body);
  if (body === undefined) return bodyExcerpt(response);
  const { errorMessages, errors, message } = (body ?? {}) as { errorMessages?: unknown; errors?: unknown; message?: unknown };
  const parts: string[] = Array.isArray(errorMessages) ? errorMessages.filter((m): m is string => typeof m === 'string') : [];
  if (errors !== null && typeof errors === 'object') {
    for (const [field, text] of Object.entries(errors)) parts.push(`${field}: ${String(text)}`);
  }
  if (parts.length === 0 && typeof message === 'string') parts.push(message);
  return parts.length > 0 ? parts.join('; ') : `HTTP ${response.status}`;
}

/** Jira's `X-RateLimit-Reset` is an ISO time; Retry-After (seconds) wins when present. */
function waitMs(response: HttpResponse, now: Date): number {
  if (response.headers['retry-after']) return retryAfterMs(response.headers['retry-after'], now);
  const reset = Date.parse(response.headers['x-ratelimit-reset'] ?? '');
  return Number.isNaN(reset) ? DEFAULT_RETRY_AFTER_MS : Math.max(0, reset - now.getTime());
}

export class JiraClient {
  constructor(
    private readonly http: HttpClient,
    readonly site: JiraSite,
    private readonly signal?: AbortSignal,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const auth = Buffer.from(`${this.site.email}:${this.site.apiToken}`).toString('base64');
    const response = await this.http.request({
      method,
      url: `${this.site.siteUrl}${path}`,
      headers: {
        authorization: `Basic ${auth}`,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...(this.signal ? { signal: this.signal } : {}),
    });
    if (isSuccess(response.status)) return successJson<T>(response);
    const what = `Jira ${method} ${path} answered ${response.status}: ${jiraMessage(response)}`;
    // Jira sends Retry-After on 429 and on some 503s; a 503 that names a wait gets it.
    if (response.status === 503 && response.headers['retry-after']) throw new RetryAfterError(what, waitMs(response, this.now()));
    throw failureFor(
      response.status,
      what,
      () => waitMs(response, this.now()),
      (message) => new JiraError(response.status, message),
    );
  }

  myself(): Promise<JiraMyself> {
    return this.request('GET', '/rest/api/3/myself');
  }

  createIssue(fields: Record<string, unknown>): Promise<JiraIssueCreated> {
    return this.request('POST', '/rest/api/3/issue', { fields });
  }

  addComment(issue: string, body: AdfDocument): Promise<{ id: string; self: string }> {
    return this.request('POST', `/rest/api/3/issue/${encodeURIComponent(issue)}/comment`, { body });
  }

  browseUrl(key: string): string {
    return `${this.site.siteUrl}/browse/${encodeURIComponent(key)}`;
  }
}
