import { ShiplineError } from '../core/errors.js';

export type { Page } from '../core/page.js';
import type { Page } from '../core/page.js';

export interface PageRequest {
  /** Items per page, 1 to 500; default 50. */
  limit?: number | undefined;
  cursor?: string | undefined;
}

export const DEFAULT_LIMIT = 50;

/** A cursor is the sort key of the last item served, opaque to clients. */
function encodeCursor(key: readonly string[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string, parts: number): string[] {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.length === parts && key.every((k) => typeof k === 'string')) return key as string[];
  } catch {
    // fall through to the error below
  }
  throw new ShiplineError('request.invalid_cursor');
}

/** Turns `limit + 1` fetched rows into a page, the extra row telling that another page exists. */
export function toPage<R, T>(rows: R[], limit: number, map: (row: R) => T, key: (row: R) => string[]): Page<T> {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  const last = items[items.length - 1];
  return { items: items.map(map), nextCursor: more && last ? encodeCursor(key(last)) : null };
}
