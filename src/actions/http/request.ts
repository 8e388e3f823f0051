import { Type } from 'typebox';
import type { Static } from 'typebox';
import { signatureHeaders } from '../../core/standard-webhooks.js';
import type { ActionContext, HttpResponse, Outcome } from '../../engine/action.js';
import { defineAction } from '../../engine/define-action.js';
import { NonRetriableError, RetryAfterError } from '../../engine/action.js';
import { displayUrl } from './client.js';
import { Duration, requireDuration } from '../../core/duration.js';
import { parseBody, retryAfterMs, statusExpected } from './status.js';
import { errorMessage } from '../../core/error-message.js';

export const HttpRequestConfig = Type.Object(
  {
    method: Type.Optional(
      Type.Enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'], {
        title: 'Method',
        description: 'Default: POST when a body is given, else GET',
      }),
    ),
    url: Type.String({ title: 'URL', placeholder: 'https://hooks.example.com/deploys', minLength: 1, description: 'An http or https URL' }),
    headers: Type.Optional(Type.Record(Type.String(), Type.String(), { title: 'Headers', description: 'Request headers' })),
    query: Type.Optional(
      Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()]), {
        title: 'Query parameters',
        description: 'Query parameters, appended to the URL',
      }),
    ),
    body: Type.Optional(
      Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Array(Type.Unknown()), Type.String()], {
        title: 'Body',
        description: 'An object or array is sent as JSON, a string as text/plain (unless content-type is set)',
      }),
    ),
    expectStatus: Type.Optional(
      Type.Array(Type.Union([Type.Integer({ minimum: 100, maximum: 599 }), Type.String({ pattern: '^[1-5]([0-9]{2}|[xX]{2})$' })]), {
        title: 'Expected statuses',
        description:
          'Statuses that end on `success`, e.g. [200, "3xx"]; default any 2xx. Others end on `failed`, except 429 and 5xx, which are retried',
      }),
    ),
    timeout: Type.Optional(
      Duration('Give up on the request after this long (ms or e.g. "10s"); default 30s', { title: 'Request timeout', placeholder: '30s' }),
    ),
    sign: Type.Optional(
      Type.Object(
        { secret: Type.String({ title: 'Secret name', minLength: 1, description: 'The name of a stored secret' }) },
        { title: 'Signing', additionalProperties: false, description: 'Sign the request with Standard Webhooks headers' },
      ),
    ),
  },
  { additionalProperties: false },
);

export type HttpRequestConfig = Static<typeof HttpRequestConfig>;

/** Case-insensitive lookup in a header map. */
function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((key) => key.toLowerCase() === name);
}

function buildUrl(raw: string, query: HttpRequestConfig['query']): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new NonRetriableError(`http.request: "${raw.split('?')[0]}" is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new NonRetriableError(`http.request: only http and https URLs are supported, not ${url.protocol}`);
  }
  for (const [name, value] of Object.entries(query ?? {})) url.searchParams.append(name, String(value));
  return url;
}

function encodeBody(body: HttpRequestConfig['body'], headers: Record<string, string>): string | undefined {
  if (body === undefined) return undefined;
  const json = typeof body !== 'string';
  if (!hasHeader(headers, 'content-type')) {
    headers['content-type'] = json ? 'application/json' : 'text/plain; charset=utf-8';
  }
  return json ? JSON.stringify(body) : body;
}

function outputOf(response: HttpResponse): Record<string, unknown> {
  const output: Record<string, unknown> = {
    status: response.status,
    headers: response.headers,
    body: parseBody(response.body, response.headers['content-type']),
  };
  if (response.truncated) output.truncated = true;
  return output;
}

async function run(ctx: ActionContext, config: HttpRequestConfig): Promise<Outcome> {
  const url = buildUrl(config.url, config.query);
  const headers: Record<string, string> = { ...config.headers };
  const body = encodeBody(config.body, headers);
  const method = config.method ?? (body === undefined ? 'GET' : 'POST');
  // The key is the same on every attempt, so the receiver can drop repeats of a retried step.
  if (!hasHeader(headers, 'idempotency-key')) headers['idempotency-key'] = ctx.idempotencyKey;
  if (!hasHeader(headers, 'user-agent')) headers['user-agent'] = 'Shipline';
  if (config.sign) {
    const secret = await ctx.secret(config.sign.secret);
    if (secret === undefined) throw new NonRetriableError(`http.request: no secret named "${config.sign.secret}" to sign with`);
    Object.assign(headers, signatureHeaders(secret, ctx.idempotencyKey, body ?? '', ctx.now()));
  }
  let timeoutMs: number | undefined;
  try {
    timeoutMs = config.timeout === undefined ? undefined : requireDuration(config.timeout);
  } catch (error) {
    throw new NonRetriableError(`http.request: timeout: ${errorMessage(error)}`);
  }

  const shown = `${method} ${displayUrl(url)}`;
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let response: HttpResponse;
  try {
    response = await ctx.http.request({ method, url: url.href, headers, body, timeoutMs, signal: ctx.signal });
  } catch (error) {
    ctx.log(`${shown} failed after ${elapsed()} ms: ${errorMessage(error)}`);
    // SSRF refusals are non-retriable already; network errors and timeouts stay retriable.
    throw error;
  }
  ctx.log(`${shown} → ${response.status} in ${elapsed()} ms${response.truncated ? ' (body truncated)' : ''}`);

  if (statusExpected(response.status, config.expectStatus)) return { channel: 'success', output: outputOf(response) };
  if (response.status === 429) {
    const wait = retryAfterMs(response.headers['retry-after'], ctx.now());
    throw new RetryAfterError(`${shown} was rate limited (HTTP 429); retrying after ${wait} ms`, wait);
  }
  if (response.status >= 500) {
    throw new Error(`${shown} responded HTTP ${response.status}: ${response.body.slice(0, 200)}`);
  }
  return { channel: 'failed', output: outputOf(response) };
}

/** The `http.request` action: one HTTP request through `ctx.http`. */
export const httpRequestAction = defineAction({
  name: 'http.request',
  description: 'Sends an HTTP request (optionally signed with Standard Webhooks) and routes on its status',
  channels: ['success', 'failed'],
  config: HttpRequestConfig,
  // The request is the target: its URL, headers and body carry secrets' values; the recorded
  // input holds placeholders, and the step's requests go only where bound secrets allow.
  sendsSecrets: true,
  exampleOutput: {
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: { ok: true },
  },
  run,
});
