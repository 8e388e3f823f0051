import type { HttpResponse } from '../engine/action.js';
import { NonRetriableError, RetryAfterError } from '../engine/action.js';

/**
 * What the provider clients (GitHub, Jira, Datadog...) share when reading an HTTP answer: JSON
 * that may be missing or malformed, a short excerpt of a body for an error message, and the
 * usual mapping of a failed status to the engine's outcomes. What a provider does differently
 * (Slack's `ok: false`, GitHub's 403 rate limits, GraphQL errors in a 200) stays in its client.
 */

/** True for a 2xx status. */
export function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

/** The text as JSON; undefined when it is empty or not JSON. */
export function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A successful answer's JSON body (an empty body reads as `{}`); throws when it is not JSON. */
export function successJson<T>(response: HttpResponse): T {
  return (response.body ? JSON.parse(response.body) : {}) as T;
}

/** The start of a body for an error message (default 300 characters), or `HTTP <status>` when it is empty. */
export function bodyExcerpt(response: HttpResponse, max = 300): string {
  return response.body.trim().slice(0, max) || `HTTP ${response.status}`;
}

/**
 * The engine's outcome for a failed status, with `message` as the error's message: 429 waits
 * (`waitMs` is asked only then), 5xx is a plain Error (retried), any other status fails now, as
 * a NonRetriableError or what `refuse` makes of the message.
 */
export function failureFor(
  status: number,
  message: string,
  waitMs: () => number,
  refuse: (message: string) => Error = (m) => new NonRetriableError(m),
): Error {
  if (status === 429) return new RetryAfterError(message, waitMs());
  if (status >= 500) return new Error(message);
  return refuse(message);
}
