import type { HttpClient, HttpResponse } from '../../engine/action.js';
import { NonRetriableError, RetryAfterError } from '../../engine/action.js';

/**
 * Posting to a Microsoft Teams webhook
 * (https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/add-incoming-webhook): a Workflows
 * (Power Automate) URL answers 202 with an empty body, a legacy Office 365 connector 200 with
 * `1` — or 200 with "…returned HTTP error 4xx…" when delivery failed, so the body is read too.
 * The URL is the credential (Workflows carry `sig=` in the query string); it never appears in
 * an error.
 */

/** Teams refuses messages larger than about 28 KB; Workflows accept them and fail in the flow. */
export const MAX_MESSAGE_BYTES = 28 * 1024;
/** Connector throttling is per channel over 1 s to 1 day windows; without Retry-After, wait this long. */
export const DEFAULT_THROTTLE_MS = 5_000;
const TIMEOUT_MS = 30_000;

export type WebhookKind = 'workflows' | 'legacy-connector' | 'unknown';

export interface WebhookUrlInfo {
  kind: WebhookKind;
  host: string;
  warning?: string;
}

/** What kind of Teams webhook a URL is, by its host. */
export function describeWebhookUrl(url: URL): WebhookUrlInfo {
  const host = url.hostname.toLowerCase();
  if (host.endsWith('.logic.azure.com') || host.endsWith('.api.powerplatform.com') || host.endsWith('.powerautomate.com')) {
    const info: WebhookUrlInfo = { kind: 'workflows', host };
    if (!url.searchParams.has('sig'))
      info.warning =
        'The URL carries no sig= parameter: the flow may require sign-in and refuse anonymous posts. Copy the URL the Workflows trigger shows.';
    return info;
  }
  if (host.endsWith('.webhook.office.com') || (host === 'outlook.office.com' && url.pathname.startsWith('/webhook'))) {
    return {
      kind: 'legacy-connector',
      host,
      warning:
        'This is an Office 365 connector URL; Microsoft is retiring connectors. Create a Workflows webhook ("Post to a channel when a webhook request is received") and use its URL.',
    };
  }
  return { kind: 'unknown', host };
}

export function parseWebhookUrl(value: string | undefined): URL {
  let url: URL;
  try {
    url = new URL(value ?? '');
  } catch {
    throw new NonRetriableError("the Teams connection's webhookUrl is not a URL");
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new NonRetriableError("the Teams connection's webhookUrl must be an https URL");
  return url;
}

/** Logic Apps (Workflows) errors are `{"error":{"code","message"}}`; connectors answer text. */
function errorText(response: HttpResponse): string {
  try {
    const body = JSON.parse(response.body) as { error?: { code?: unknown; message?: unknown } };
    if (body?.error && typeof body.error.code === 'string') {
      return typeof body.error.message === 'string' ? `${body.error.code}: ${body.error.message}` : body.error.code;
    }
  } catch {
    // not JSON: the text itself
  }
  return response.body.replace(/\s+/g, ' ').trim().slice(0, 300);
}

function throttleMs(header: string | undefined): number {
  const seconds = Number(header);
  return header !== undefined && Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : DEFAULT_THROTTLE_MS;
}

/** Maps a failure status (the HTTP one, or the one a connector buries in a 200) to an error. */
function failure(status: number, detail: string, retryAfter: string | undefined): Error {
  const what = `Teams answered HTTP ${status}${detail ? `: ${detail}` : ''}`;
  if (status === 429) {
    const wait = throttleMs(retryAfter);
    return new RetryAfterError(`${what}; throttled, retrying after ${wait} ms`, wait);
  }
  if (status >= 500) return new Error(`${what}; will retry`);
  if (status === 413) return new NonRetriableError(`${what} (the message is over the ~28 KB Teams allows)`);
  if (status === 401 || status === 403) return new NonRetriableError(`${what} (the webhook URL is not accepted; copy it again from Teams)`);
  if (status === 404) return new NonRetriableError(`${what} (no such webhook or flow; it may have been deleted)`);
  return new NonRetriableError(what);
}

/** "Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 429 with ContextId …" */
const BURIED_ERROR = /returned HTTP error (\d{3})/i;

/** Posts a Teams message; resolves with the HTTP status of an accepted post. */
export async function postToTeams(
  http: HttpClient,
  url: URL,
  message: unknown,
  options: { signal?: AbortSignal } = {},
): Promise<{ status: number }> {
  const body = JSON.stringify(message);
  const size = Buffer.byteLength(body);
  if (size > MAX_MESSAGE_BYTES) {
    throw new NonRetriableError(
      `the Teams message is ${size} bytes; Teams accepts about ${MAX_MESSAGE_BYTES} (shorten the text or the facts)`,
    );
  }
  const response = await http.request({
    method: 'POST',
    url: url.href,
    headers: { 'content-type': 'application/json' },
    body,
    timeoutMs: TIMEOUT_MS,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (response.status >= 200 && response.status < 300) {
    const buried = BURIED_ERROR.exec(response.body);
    if (buried) throw failure(Number(buried[1]), errorText(response), response.headers['retry-after']);
    return { status: response.status };
  }
  throw failure(response.status, errorText(response), response.headers['retry-after']);
}
