import type { HttpClient } from '../../engine/action.js';
import { NonRetriableError, RetryAfterError } from '../../engine/action.js';
import { trimTrailingSlashes } from '../../core/urls.js';

/**
 * Octopus Deploy's REST API as Shipline uses it (https://octopus.com/docs/octopus-rest-api): the API key
 * goes only in the `X-Octopus-ApiKey` header, every call goes through the HTTP client it is
 * given (SSRF guard, timeouts), and errors carry Octopus's own `ErrorMessage`.
 */

/** An answer other than 2xx, with Octopus's message. */
export class OctopusApiError extends Error {
  override readonly name = 'OctopusApiError';
  constructor(
    readonly status: number,
    message: string,
    readonly errors: string[] = [],
  ) {
    super(message);
  }
}

export interface OctopusCollection<T> {
  Items: T[];
  TotalResults: number;
  Links?: Record<string, unknown>;
}

export interface OctopusRoot {
  Application?: string;
  Version: string;
  ApiVersion?: string;
  InstallationId?: string;
}
export interface OctopusSpace {
  Id: string;
  Name: string;
  Slug?: string;
  IsDefault?: boolean;
}
export interface OctopusNamed {
  Id: string;
  Name: string;
  Slug?: string;
}
export interface OctopusRelease {
  Id: string;
  Version: string;
  ProjectId: string;
  ChannelId?: string;
  Assembled?: string;
}
/** A deployment target (`/api/{space}/machines/{id}`), the fields Shipline reads. */
export interface OctopusMachine {
  Id: string;
  Name: string;
  EnvironmentIds: string[];
  Roles: string[];
  HealthStatus?: string;
  IsDisabled?: boolean;
}
export interface OctopusDeployment {
  Id: string;
  TaskId: string;
  ProjectId: string;
  ReleaseId: string;
  EnvironmentId: string;
  TenantId?: string | null;
  ChannelId?: string;
  Created: string;
  Comments?: string | null;
  Name?: string;
  SpecificMachineIds?: string[];
  ExcludedMachineIds?: string[];
  Links?: Record<string, string>;
}
export interface OctopusTask {
  Id: string;
  State: string;
  IsCompleted: boolean;
  FinishedSuccessfully?: boolean;
  StartTime?: string | null;
  CompletedTime?: string | null;
  QueueTime?: string | null;
  Duration?: string;
  ErrorMessage?: string | null;
}

export interface ClientOptions {
  serverUrl: string;
  apiKey: string;
  /** Per request; default 30 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

const MAX_BODY = 4 * 1024 * 1024;

export class OctopusClient {
  private readonly base: string;

  constructor(
    private readonly http: HttpClient,
    private readonly options: ClientOptions,
  ) {
    this.base = trimTrailingSlashes(options.serverUrl);
  }

  /** A client for the same server that aborts with `signal`. */
  withSignal(signal: AbortSignal): OctopusClient {
    return new OctopusClient(this.http, { ...this.options, signal });
  }

  get serverUrl(): string {
    return this.base;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.http.request({
      method,
      url: `${this.base}${path}`,
      headers: {
        'x-octopus-apikey': this.options.apiKey,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      timeoutMs: this.options.timeoutMs ?? 30_000,
      maxResponseBytes: MAX_BODY,
      ...(this.options.signal ? { signal: this.options.signal } : {}),
    });
    const parsed = parseJson(response.body);
    if (response.status >= 200 && response.status < 300) return parsed as T;
    const error = parsed as { ErrorMessage?: unknown; Errors?: unknown } | undefined;
    const message = typeof error?.ErrorMessage === 'string' ? error.ErrorMessage : `Octopus answered ${response.status}`;
    const errors = Array.isArray(error?.Errors) ? error.Errors.filter((e): e is string => typeof e === 'string') : [];
    const detail = errors.length > 0 ? `${message} (${errors.join('; ')})` : message;
    if (response.status === 429 || response.status === 503) {
      const after = Number(response.headers['retry-after']);
      throw new RetryAfterError(`Octopus ${response.status}: ${detail}`, Number.isFinite(after) ? after * 1000 : 5_000);
    }
    if (response.status >= 500) throw new OctopusApiError(response.status, detail, errors);
    // 4xx will not get better by asking again.
    throw new NonRetriableOctopusError(response.status, detail, errors);
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PUT', path, body);
  }

  delete<T>(path: string): Promise<T> {
    return this.request<T>('DELETE', path);
  }

  root(): Promise<OctopusRoot> {
    return this.get('/api');
  }

  spaces(): Promise<OctopusSpace[]> {
    return this.get('/api/spaces/all');
  }

  task(taskId: string): Promise<OctopusTask> {
    return this.get(`/api/tasks/${encodeURIComponent(taskId)}`);
  }

  cancelTask(taskId: string): Promise<OctopusTask> {
    return this.post(`/api/tasks/${encodeURIComponent(taskId)}/cancel`, {});
  }
}

/** A 4xx: retrying the same request cannot succeed. */
export class NonRetriableOctopusError extends NonRetriableError {
  constructor(
    readonly status: number,
    message: string,
    readonly errors: string[] = [],
  ) {
    super(message);
  }
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** `/api/<space>` + path: the space-scoped route. */
export function spacePath(spaceId: string, path: string): string {
  return `/api/${encodeURIComponent(spaceId)}${path}`;
}

export function isNotFound(err: unknown): boolean {
  return (err instanceof NonRetriableOctopusError || err instanceof OctopusApiError) && err.status === 404;
}
