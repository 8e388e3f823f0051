/** Response helpers for `http.request`: which statuses are expected, and when to come back. */

/** Default wait when a 429 carries no usable Retry-After. */
export const DEFAULT_RETRY_AFTER_MS = 1000;

/** True when `status` matches one of `expected` (`201`, `"404"`, `"2xx"`); default: any 2xx. */
export function statusExpected(status: number, expected: ReadonlyArray<number | string> | undefined): boolean {
  if (!expected || expected.length === 0) return status >= 200 && status < 300;
  return expected.some((entry) => {
    const text = String(entry).trim().toLowerCase();
    if (/^[1-5]xx$/.test(text)) return Math.floor(status / 100) === Number(text[0]);
    return Number(text) === status;
  });
}

/** Milliseconds from `now` that a Retry-After header (delay-seconds or HTTP-date) asks for. */
export function retryAfterMs(header: string | undefined, now: Date): number {
  const value = header?.trim();
  if (!value) return DEFAULT_RETRY_AFTER_MS;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return DEFAULT_RETRY_AFTER_MS;
  return Math.max(0, at - now.getTime());
}

/** The body as JSON when the response says it is JSON (and it parses), otherwise the text. */
export function parseBody(body: string, contentType: string | undefined): unknown {
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  if (mediaType !== 'application/json' && !mediaType.endsWith('+json')) return body;
  try {
    return JSON.parse(body);
  } catch {
    // A truncated or malformed JSON body is still worth showing as text.
    return body;
  }
}
