import type { Command } from 'commander';
import { trimTrailingSlashes } from '../core/urls.js';
import { errorMessage } from '../core/error-message.js';
import { checkShiplineUrl, describeUrl, quoteUrlValue } from './shipline-url.js';

export const DEFAULT_URL = 'http://localhost:8080';

// A hung server or proxy must not hold a CI job forever; 30 s is far above any normal answer.
const TIMEOUT_MS = 30_000;

/** A failure the CLI reports as one line on stderr, then exits with `exitCode`. */
export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** An error answer from the Shipline API: `{error: {code, message, status}}`. */
export class ApiError extends CliError {
  readonly code: string;
  readonly status: number;

  constructor(code: string, message: string, status: number) {
    super(`Error (${code}): ${message}`);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
  }
}

/** Query values left undefined are not sent, so callers can pass options straight through. */
export type Query = Record<string, string | number | undefined>;

export interface ApiClient {
  get<T>(path: string, query?: Query): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
  put<T>(path: string, body: unknown): Promise<T>;
  delete<T>(path: string): Promise<T>;
}

/** Builds an API path with each segment URL-encoded: aliases may hold `/`, spaces or `?`. */
export function apiPath(...segments: string[]): string {
  return `/api/v1/${segments.map((s) => encodeURIComponent(s)).join('/')}`;
}

/**
 * Only scheme, host and port: a deploy endpoint URL's path is its credential, so it must not end
 * up in a CI log through an error message.
 */
export function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid URL)';
  }
}

/** Checks a user-given URL up front, so a typo gets a clear message rather than a fetch error. */
export function parseHttpUrl(raw: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CliError(`${what} is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliError(`${what} must start with http:// or https://`);
  }
  return url;
}

export interface SentRequest {
  method: string;
  url: URL;
  headers?: Record<string, string>;
  body?: unknown;
}

/**
 * Sends one JSON request. Network failures and timeouts become a CliError naming only the
 * origin; any HTTP status is returned to the caller, which knows the error format to expect.
 */
export async function send(request: SentRequest): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
  if (request.body !== undefined) headers['content-type'] = 'application/json';
  try {
    return await fetch(request.url, {
      method: request.method,
      headers,
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (err) {
    const where = request.url.origin;
    if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
      throw new CliError(`No answer from ${where} within ${TIMEOUT_MS / 1000} s`);
    }
    // fetch reports "fetch failed"; the useful part (ECONNREFUSED, ENOTFOUND...) is in the cause.
    const cause = err instanceof Error ? (err.cause as { code?: string; message?: string } | undefined) : undefined;
    const reason = cause?.code ?? cause?.message ?? errorMessage(err);
    throw new CliError(`Cannot reach ${where}: ${reason}`);
  }
}

/** Reads a body as JSON; undefined when it is empty or not JSON (e.g. a proxy's HTML page). */
export async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * An answer that is not Shipline's JSON (a web page, a router's login, another API): the URL is
 * most likely wrong, so the message names it. A 5xx may come from a proxy in front of Shipline.
 */
function notShipline(where: string, path: string, response: Response): CliError {
  const type = response.headers.get('content-type')?.split(';')[0]?.trim() || 'no content type';
  const answer = `HTTP ${response.status} ${response.statusText}`.trimEnd();
  if (response.status >= 500) {
    return new CliError(
      `${where} answered ${path} with ${answer} (${type}), not Shipline's JSON: a proxy in front of it failed, or it is not a Shipline API`,
    );
  }
  return new CliError(
    `${where} is not a Shipline API: ${path} answered ${answer} with ${type}, not Shipline's JSON (check SHIPLINE_URL or --url)`,
  );
}

/** Turns a non-2xx API answer into an ApiError, or the not-Shipline error when it is not Shipline's format. */
function apiFailure(where: string, path: string, response: Response, body: unknown): CliError {
  const error = isRecord(body) ? body.error : undefined;
  if (isRecord(error) && typeof error.code === 'string') {
    const message = typeof error.message === 'string' ? error.message : response.statusText;
    return new ApiError(error.code, message, response.status);
  }
  return notShipline(where, path, response);
}

export interface ClientOptions {
  url: string;
  token: string;
  /** Where the URL came from, for messages about it; default "The Shipline URL". */
  source?: string;
}

/** Checks the Shipline URL; a bad one is reported with its value, its source and what is wrong. */
export function shiplineUrl(raw: string, source = 'The Shipline URL'): URL {
  const checked = checkShiplineUrl(raw);
  if ('problem' in checked) throw new CliError(`${source} ${quoteUrlValue(raw)} ${checked.problem}`);
  return checked.url;
}

export function createClient({ url, token, source }: ClientOptions): ApiClient {
  const base = shiplineUrl(url, source);
  const where = describeUrl(base);
  // Keep any path prefix (a reverse proxy may serve Shipline under /shipline).
  const prefix = trimTrailingSlashes(base.pathname);

  async function call<T>(method: string, path: string, query?: Query, body?: unknown): Promise<T> {
    const target = new URL(base);
    target.pathname = prefix + path;
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined) target.searchParams.set(key, String(value));
    }
    const response = await send({ method, url: target, headers: { authorization: `Bearer ${token}` }, body });
    const parsed = await readJson(response);
    if (!response.ok) throw apiFailure(where, path, response, parsed);
    // Every Shipline answer but 204 is a JSON object; an HTML page with 200 is a web server's.
    if (response.status !== 204 && !isRecord(parsed)) throw notShipline(where, path, response);
    return parsed as T;
  }

  return {
    get: (path, query) => call('GET', path, query),
    post: (path, body) => call('POST', path, undefined, body ?? {}),
    put: (path, body) => call('PUT', path, undefined, body),
    delete: (path) => call('DELETE', path),
  };
}

interface GlobalOptions {
  url?: string;
  token?: string;
}

/** The server URL a command talks to, as given (--url wins over SHIPLINE_URL), with where it came from. */
function givenServerUrl(command: Command, env: NodeJS.ProcessEnv): { url: string; source: string } {
  const globals = command.optsWithGlobals<GlobalOptions>();
  const url = globals.url || env.SHIPLINE_URL || DEFAULT_URL;
  return { url, source: globals.url ? '--url' : env.SHIPLINE_URL ? 'SHIPLINE_URL' : 'The default URL' };
}

/** The checked server URL of a command, for the requests the API client does not make (PATCH, the event stream). */
export function serverUrlFor(command: Command, env: NodeJS.ProcessEnv = process.env): URL {
  const { url, source } = givenServerUrl(command, env);
  return shiplineUrl(url, source);
}

/** The API client for a command: --url/--token win over SHIPLINE_URL/SHIPLINE_TOKEN. */
export function clientFor(command: Command, env: NodeJS.ProcessEnv = process.env): ApiClient {
  const globals = command.optsWithGlobals<GlobalOptions>();
  const { url, source } = givenServerUrl(command, env);
  const token = globals.token || env.SHIPLINE_TOKEN;
  // Checked here rather than left to the server: a missing variable is a local mistake.
  if (!token) throw new CliError('No API token: set SHIPLINE_TOKEN or pass --token');
  return createClient({ url, token, source });
}
