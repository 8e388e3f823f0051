import { expect } from 'vitest';
import type { ServerProcess } from './server-process.js';

/** Calls a running server's API with a token; fails the test on a status other than `expected`. */
export async function remoteApi<T = unknown>(
  server: ServerProcess,
  token: string,
  method: string,
  pathname: string,
  body?: unknown,
  expected?: number,
): Promise<T> {
  const res = await fetch(`${server.url}${pathname}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (expected !== undefined) expect(res.status, text).toBe(expected);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Posts one deploy to a server's deploy webhook; resolves with the HTTP status. */
export async function postDeploy(server: ServerProcess, endpointId: string, payload: Record<string, unknown>): Promise<number> {
  const res = await fetch(`${server.url}/integrations/deploy/${endpointId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(payload),
  });
  await res.text();
  return res.status;
}

/** Every run (any status), following cursors. */
export async function allRuns(server: ServerProcess, token: string, reaction: string): Promise<Array<{ id: string; status: string }>> {
  const out: Array<{ id: string; status: string }> = [];
  let cursor: string | null = null;
  do {
    const page: { items: Array<{ id: string; status: string }>; nextCursor: string | null } = await remoteApi(
      server,
      token,
      'GET',
      `/api/v1/runs?reaction=${reaction}&limit=500${cursor ? `&cursor=${cursor}` : ''}`,
      undefined,
      200,
    );
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}
