import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Role } from '../core/vocabulary.js';
import type { Db } from './database.js';
import { hashSessionId } from './users.js';

/** A session ends after this long without a request (default 12 h)... */
export const SESSION_IDLE_MS = 12 * 60 * 60_000;
/** ...and this long after sign-in however active it is (default 7 days). */
export const SESSION_MAX_MS = 7 * 24 * 60 * 60_000;
// last_seen_at is written at most this often per session, so reads do not all become writes.
const LAST_SEEN_RESOLUTION_MS = 60_000;

/** The signed-in user a session cookie stands for. */
export interface SessionUser {
  email: string;
  name: string;
  role: Role;
}

export interface Session {
  user: SessionUser;
  csrfToken: string;
  createdAt: string;
  expiresAt: string;
}

/** True when `given` is the session's CSRF token; compared in constant time. */
export function csrfMatches(session: Session, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(session.csrfToken);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Browser sessions. The cookie carries a random 256-bit id; the store keeps its SHA-256. Each
 * request reads the session joined with its user, so a role change or a disabled account takes
 * effect on the next request.
 */
export function sessionsRepo(db: Db, options: { idleMs?: number; maxMs?: number } = {}) {
  const k = db.kysely;
  const idleMs = options.idleMs ?? SESSION_IDLE_MS;
  const maxMs = options.maxMs ?? SESSION_MAX_MS;

  return {
    /** Starts a session for an (already verified) user; returns the cookie's id once. */
    async create(user: SessionUser): Promise<Session & { id: string }> {
      const id = randomBytes(32).toString('base64url');
      const csrfToken = randomBytes(32).toString('base64url');
      const now = Date.now();
      const expiresAt = new Date(now + maxMs).toISOString();
      await k
        .insertInto('user_sessions')
        .values({
          id_hash: hashSessionId(id),
          email: user.email,
          csrf_token: csrfToken,
          created_at: new Date(now).toISOString(),
          last_seen_at: new Date(now).toISOString(),
          expires_at: expiresAt,
        })
        .execute();
      return { id, user, csrfToken, createdAt: new Date(now).toISOString(), expiresAt };
    },

    /** The live session with this id, its idle clock restarted; undefined if unknown, expired or its user disabled. */
    async authenticate(id: string): Promise<Session | undefined> {
      const idHash = hashSessionId(id);
      const row = await k
        .selectFrom('user_sessions')
        .innerJoin('users', 'users.email', 'user_sessions.email')
        .select([
          'user_sessions.csrf_token',
          'user_sessions.created_at',
          'user_sessions.last_seen_at',
          'user_sessions.expires_at',
          'users.email',
          'users.name',
          'users.role',
          'users.disabled_at',
        ])
        .where('user_sessions.id_hash', '=', idHash)
        .executeTakeFirst();
      if (!row || row.disabled_at !== null) return undefined;
      const now = Date.now();
      if (Date.parse(row.expires_at) <= now || now - Date.parse(row.last_seen_at) >= idleMs) {
        await k.deleteFrom('user_sessions').where('id_hash', '=', idHash).execute();
        return undefined;
      }
      if (now - Date.parse(row.last_seen_at) > LAST_SEEN_RESOLUTION_MS) {
        await k
          .updateTable('user_sessions')
          .set({ last_seen_at: new Date(now).toISOString() })
          .where('id_hash', '=', idHash)
          .execute();
      }
      return {
        user: { email: row.email, name: row.name, role: row.role as Role },
        csrfToken: row.csrf_token,
        createdAt: row.created_at,
        expiresAt: row.expires_at,
      };
    },

    /** Ends one session (sign-out); unknown ids are ignored. */
    async remove(id: string): Promise<void> {
      await k.deleteFrom('user_sessions').where('id_hash', '=', hashSessionId(id)).execute();
    },

    /** Deletes sessions past their idle or absolute end; returns how many. */
    async prune(): Promise<number> {
      const now = Date.now();
      const result = await k
        .deleteFrom('user_sessions')
        .where((eb) =>
          eb.or([eb('expires_at', '<=', new Date(now).toISOString()), eb('last_seen_at', '<=', new Date(now - idleMs).toISOString())]),
        )
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

export type SessionsRepo = ReturnType<typeof sessionsRepo>;
