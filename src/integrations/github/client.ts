import { Type } from 'typebox';
import type { ActionContext, HttpClient, HttpResponse } from '../../engine/action.js';
import { NonRetriableError, RetryAfterError } from '../../engine/action.js';
import type { ConnectionWithSecrets } from '../../core/connection.js';
import { bodyExcerpt, isSuccess, parseJson } from '../provider-http.js';
import { trimTrailingSlashes } from '../../core/urls.js';
import { readConnection } from '../read-connection.js';

/**
 * GitHub's REST API as Shipline uses it (https://docs.github.com/en/rest): bearer token,
 * `Accept: application/vnd.github+json`, a pinned API version and the mandatory User-Agent on
 * every request; errors carry GitHub's `message` and `errors`; primary and secondary rate limits
 * become a RetryAfterError for exactly as long as GitHub asks.
 */

export const DEFAULT_API_URL = 'https://api.github.com';
export const API_VERSION = '2022-11-28';
export const USER_AGENT = 'Shipline';
/** GitHub's advice for a secondary limit that names no wait: at least a minute. */
export const SECONDARY_LIMIT_WAIT_MS = 60_000;
const TIMEOUT_MS = 30_000;

export const GitHubConfig = Type.Object(
  {
    apiUrl: Type.Optional(
      Type.String({
        title: 'API URL',
        pattern: '^https?://[^\\s/]+',
        default: DEFAULT_API_URL,
        description: `The REST API base URL; default ${DEFAULT_API_URL} (GitHub Enterprise Server: https://<host>/api/v3)`,
      }),
    ),
    owner: Type.Optional(
      Type.String({
        title: 'Default owner',
        placeholder: 'acme',
        minLength: 1,
        description: 'The default repository owner (user or organization) for actions that do not name one',
      }),
    ),
    repo: Type.Optional(
      Type.String({
        title: 'Default repository',
        placeholder: 'shop',
        minLength: 1,
        description: 'The default repository name for actions that do not name one',
      }),
    ),
  },
  { additionalProperties: false },
);

export const GitHubSecrets = Type.Object(
  {
    token: Type.String({
      title: 'Token',
      minLength: 1,
      description:
        'A token with access to the repositories: fine-grained (Issues, Contents, Deployments: write) or classic (repo), or an app installation token',
    }),
    webhookSecret: Type.Optional(
      Type.String({
        title: 'Webhook signing secret',
        minLength: 1,
        description: 'The secret set on the GitHub webhook; needed to receive its deliveries (X-Hub-Signature-256)',
      }),
    ),
  },
  { additionalProperties: false },
);

export interface GitHubSettings {
  apiUrl: string;
  token: string;
  owner?: string;
  repo?: string;
  webhookSecret?: string;
}

export const githubSchemas = { type: 'github', config: GitHubConfig, secrets: GitHubSecrets };

export function settingsOf(connection: ConnectionWithSecrets): GitHubSettings {
  const { config, secrets } = readConnection(githubSchemas, connection);
  return {
    apiUrl: trimTrailingSlashes(config.apiUrl ?? DEFAULT_API_URL),
    token: secrets.token,
    ...(config.owner ? { owner: config.owner } : {}),
    ...(config.repo ? { repo: config.repo } : {}),
    ...(secrets.webhookSecret ? { webhookSecret: secrets.webhookSecret } : {}),
  };
}

/** The step's GitHub connection; a misconfigured one, or one of another type, cannot be fixed by retrying. */
export async function openGitHub(ctx: ActionContext, name: string): Promise<GitHubSettings> {
  return settingsOf(await ctx.connection(name));
}

/** `/repos/<owner>/<repo>` from the step, else the connection's defaults. */
export function repoPath(settings: GitHubSettings, config: { owner?: string; repo?: string }, action: string): string {
  const owner = config.owner ?? settings.owner;
  const repo = config.repo ?? settings.repo;
  if (!owner || !repo) throw new NonRetriableError(`${action}: name the repository: set owner and repo on the step or on the connection`);
  return `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}`;
}

/** One GitHub request with the headers GitHub requires; resolves for any status. */
export async function githubFetch(
  http: HttpClient,
  settings: GitHubSettings,
  method: string,
  path: string,
  body: unknown,
  signal: AbortSignal,
): Promise<HttpResponse & { json: unknown }> {
  const response = await http.request({
    method,
    url: `${settings.apiUrl}${path}`,
    headers: {
      authorization: `Bearer ${settings.token}`,
      accept: 'application/vnd.github+json',
      'x-github-api-version': API_VERSION,
      'user-agent': USER_AGENT,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    timeoutMs: TIMEOUT_MS,
    signal,
  });
  return { ...response, json: parseJson(response.body) };
}

/** `Validation Failed (Issue.title missing_field)`: GitHub's message with its `errors`. */
export function githubMessage(response: HttpResponse & { json: unknown }): string {
  const body = response.json as { message?: unknown; errors?: unknown } | undefined;
  const message = typeof body?.message === 'string' ? body.message : bodyExcerpt(response, 200);
  const errors = Array.isArray(body?.errors)
    ? body.errors
        .map((e: unknown) => {
          if (typeof e === 'string') return e;
          const o = (e ?? {}) as { resource?: unknown; field?: unknown; code?: unknown; message?: unknown };
          if (typeof o.message === 'string') return o.message;
          const where = [o.resource, o.field].filter((s): s is string => typeof s === 'string').join('.');
          return [where, typeof o.code === 'string' ? o.code : ''].filter(Boolean).join(' ');
        })
        .filter((s) => s !== '')
    : [];
  return errors.length > 0 ? `${message} (${errors.join('; ')})` : message;
}

/**
 * How long a rate-limited answer asks to wait, or null when the answer is no rate limit (a 403
 * can also mean "no permission"): Retry-After first, then the primary limit's reset time when
 * nothing remains, else a minute for a secondary limit (GitHub's own rules).
 */
export function rateLimitWaitMs(response: HttpResponse & { json: unknown }, now: Date): number | null {
  if (response.status !== 403 && response.status !== 429) return null;
  const retryAfter = response.headers['retry-after']?.trim();
  const remaining = response.headers['x-ratelimit-remaining']?.trim();
  const message = (response.json as { message?: unknown } | undefined)?.message;
  const mentionsLimit = typeof message === 'string' && /rate limit/i.test(message);
  if (response.status === 403 && retryAfter === undefined && remaining !== '0' && !mentionsLimit) return null;
  if (retryAfter && /^\d+$/.test(retryAfter)) return Number(retryAfter) * 1000;
  const reset = Number(response.headers['x-ratelimit-reset']);
  if (remaining === '0' && Number.isFinite(reset) && reset > 0) return Math.max(1000, reset * 1000 - now.getTime());
  return SECONDARY_LIMIT_WAIT_MS;
}

/**
 * A call an action makes: the parsed body on 2xx; otherwise the engine's outcome — rate limits
 * wait, 5xx and network errors are retried, any other 4xx (401, 404, 410, 422...) fails now with
 * GitHub's message.
 */
export async function githubCall<T>(
  ctx: ActionContext,
  settings: GitHubSettings,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: T }> {
  const shown = `${method} ${path}`;
  const response = await githubFetch(ctx.http, settings, method, path, body, ctx.signal);
  ctx.log(`${shown} → ${response.status}`);
  if (isSuccess(response.status)) return { status: response.status, json: response.json as T };
  const message = githubMessage(response);
  const wait = rateLimitWaitMs(response, ctx.now());
  if (wait !== null)
    throw new RetryAfterError(
      `GitHub rate limit on ${shown} (HTTP ${response.status}: ${message}); retrying in ${Math.ceil(wait / 1000)} s`,
      wait,
    );
  if (response.status >= 500) throw new Error(`GitHub answered HTTP ${response.status} to ${shown}: ${message}`);
  if (response.status === 404) {
    throw new NonRetriableError(
      `GitHub 404 on ${shown}: ${message} (the repository or deployment does not exist, or the token cannot see it)`,
    );
  }
  throw new NonRetriableError(`GitHub ${response.status} on ${shown}: ${message}`);
}
