/** One API call the stand-in answered, for `GET /_sim/requests`. */
export interface RecordedRequest {
  method: string;
  /** The path without the query string, as the client sent it. */
  path: string;
  query: Record<string, unknown>;
  /** Lower-case names; the API key (header or query) cut to its first 8 characters. */
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  status: number;
  at: string;
}

/** Shows enough of a key to tell keys apart in a test, never enough to use it. */
export function redactKey(key: string): string {
  return key.slice(0, 8);
}

/**
 * Every `/api` call, in arrival order, so tests can assert what a client did ("exactly one
 * POST /deployments"). Control (`/_sim`) calls are not recorded.
 */
export class RequestLog {
  private entries: RecordedRequest[] = [];

  add(entry: RecordedRequest): void {
    const headers = { ...entry.headers };
    const key = headers['x-octopus-apikey'];
    if (typeof key === 'string') headers['x-octopus-apikey'] = redactKey(key);
    const query = { ...entry.query };
    for (const name of Object.keys(query)) {
      const value = query[name];
      if (name.toLowerCase() === 'apikey' && typeof value === 'string') query[name] = redactKey(value);
    }
    this.entries.push({ ...entry, headers, query });
  }

  /** Filtered by method (case-insensitive) and path (see pathMatches). */
  list(method?: string, path?: string): RecordedRequest[] {
    return this.entries.filter((e) => (!method || e.method.toUpperCase() === method.toUpperCase()) && (!path || pathMatches(e.path, path)));
  }

  clear(): void {
    this.entries = [];
  }
}

/**
 * `path=/api/Spaces-1/deployments` matches exactly (case-insensitively, as Octopus routes do);
 * `path=/api/*` matches a prefix.
 */
function pathMatches(actual: string, wanted: string): boolean {
  const a = actual.toLowerCase();
  const w = wanted.toLowerCase();
  return w.endsWith('*') ? a.startsWith(w.slice(0, -1)) : a === w;
}
