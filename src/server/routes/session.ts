import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { ShiplineError } from '../../core/errors.js';
import type { Store } from '../../store/index.js';
import type { Session } from '../../store/sessions.js';
import { csrfMatches, SESSION_MAX_MS } from '../../store/sessions.js';
import { checkPassword, normaliseEmail } from '../../store/users.js';
import { CSRF_HEADER, readCookie, SESSION_COOKIE } from '../auth.js';
import { ErrorBody } from '../schemas.js';
import { PasswordChange, SessionView, SignIn } from '../user-schemas.js';
import type { App } from './types.js';

const tags = ['session'];
const FIFTEEN_MINUTES = 15 * 60_000;

/** Failed sign-ins allowed per email and per client IP within the window before answering 429. */
export interface SignInLimits {
  /** Default 5 per email. */
  perEmail: number;
  /** Default 20 per client IP (NAT and offices share addresses, hence higher). */
  perIp: number;
  /** Default 15 minutes. */
  windowMs: number;
}

export const DEFAULT_SIGN_IN_LIMITS: SignInLimits = { perEmail: 5, perIp: 20, windowMs: FIFTEEN_MINUTES };

// Keys kept at most, so a flood of made-up emails cannot grow memory without bound: the oldest go first.
const MAX_KEYS = 50_000;

/**
 * Failures per key in a sliding window, in this process's memory: simple and without writes on
 * the hot path, but each instance counts on its own and a restart forgets (docs/users.md).
 */
export class FailureWindow {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Milliseconds until `key` may try again; 0 when it may now. */
  blockedFor(key: string, now = Date.now()): number {
    const times = this.live(key, now);
    if (times.length < this.limit) return 0;
    return times[times.length - this.limit]! + this.windowMs - now;
  }

  fail(key: string, now = Date.now()): void {
    const times = this.live(key, now);
    times.push(now);
    // Re-inserted so Map order is least recently failed first, the order to evict in.
    this.failures.delete(key);
    this.failures.set(key, times.slice(-this.limit));
    if (this.failures.size > MAX_KEYS) this.failures.delete(this.failures.keys().next().value!);
  }

  clear(key: string): void {
    this.failures.delete(key);
  }

  /** Takes back the latest failure of `key` (an attempt counted up front that succeeded). */
  forgive(key: string): void {
    this.failures.get(key)?.pop();
  }

  private live(key: string, now: number): number[] {
    const times = (this.failures.get(key) ?? []).filter((t) => t > now - this.windowMs);
    if (times.length === 0) this.failures.delete(key);
    return times;
  }
}

/** Secure when the browser reached us over HTTPS: TLS here, or a public URL that is https (a TLS proxy). */
export function cookieIsSecure(request: FastifyRequest, publicUrl: string): boolean {
  return request.protocol === 'https' || publicUrl.startsWith('https:');
}

export function setSessionCookie(reply: FastifyReply, value: string, maxAgeSeconds: number, secure: boolean): void {
  const parts = [`${SESSION_COOKIE}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Lax', `Max-Age=${maxAgeSeconds}`];
  if (secure) parts.push('Secure');
  reply.header('set-cookie', parts.join('; '));
}

const SessionQuery = Type.Object({
  optional: Type.Optional(
    Type.Boolean({
      description:
        'Answer 204 instead of 401 when no one is signed in: the web UI asks this way on every page load, so a signed-out browser logs no error',
    }),
  ),
});

/** A session as the API shows it: its user, CSRF token and expiry (never its id, which only the cookie carries). */
export const view = (session: Session) => ({ user: session.user, csrfToken: session.csrfToken, expiresAt: session.expiresAt });

/**
 * Sign-in for the web UI: public routes, rate-limited on failures. The session cookie then
 * authenticates /api/v1 with the user's role (see auth.ts for CSRF).
 */
export function sessionRoutes(store: Store, config: { publicUrl: string }, limits: SignInLimits = DEFAULT_SIGN_IN_LIMITS) {
  const byEmail = new FailureWindow(limits.perEmail, limits.windowMs);
  const byIp = new FailureWindow(limits.perIp, limits.windowMs);

  return async (app: App) => {
    app.post(
      '/auth/session',
      {
        schema: {
          summary: 'Sign in with email and password; sets the shipline_session cookie',
          tags,
          body: SignIn,
          response: { 200: SessionView, 400: ErrorBody, 401: ErrorBody, 429: ErrorBody },
        },
      },
      async (request, reply) => {
        const email = normaliseEmail(request.body.email);
        const ip = request.ip;
        const waitMs = Math.max(byEmail.blockedFor(email), byIp.blockedFor(ip));
        if (waitMs > 0) {
          reply.header('retry-after', String(Math.ceil(waitMs / 1000)));
          throw new ShiplineError('auth.rate_limited');
        }
        // Counted before the (slow) check, so concurrent guesses cannot all slip in under the limit.
        byEmail.fail(email);
        byIp.fail(ip);
        const user = await store.users.verify(email, request.body.password);
        // One answer for an unknown email, a wrong password and a disabled account.
        if (!user) throw new ShiplineError('auth.sign_in_failed');
        byEmail.clear(email);
        byIp.forgive(ip);
        // Sessions left to expire are deleted here rather than by a timer: sign-ins are rare and the table small.
        await store.sessions.prune();
        const session = await store.sessions.create({ email: user.email, name: user.name, role: user.role });
        setSessionCookie(reply, session.id, Math.floor(SESSION_MAX_MS / 1000), cookieIsSecure(request, config.publicUrl));
        return view(session);
      },
    );

    app.get(
      '/auth/session',
      {
        schema: {
          summary: "The signed-in user and the session's CSRF token",
          tags,
          querystring: SessionQuery,
          response: {
            200: SessionView,
            204: Type.Null({ description: 'No one is signed in (only with optional=true)' }),
            401: ErrorBody,
          },
        },
      },
      async (request, reply) => {
        const id = readCookie(request.headers.cookie, SESSION_COOKIE);
        const session = id === undefined ? undefined : await store.sessions.authenticate(id);
        if (!session && request.query.optional === true) return reply.code(204).send(null);
        if (!session) throw new ShiplineError('auth.session_invalid');
        return view(session);
      },
    );

    app.post(
      '/auth/password',
      {
        schema: {
          summary: "Change the signed-in user's password (needs X-CSRF-Token); ends their other sessions",
          tags,
          body: PasswordChange,
          response: { 204: Type.Null(), 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 429: ErrorBody },
        },
      },
      async (request, reply) => {
        const id = readCookie(request.headers.cookie, SESSION_COOKIE);
        const session = id === undefined ? undefined : await store.sessions.authenticate(id);
        if (!session) throw new ShiplineError('auth.session_invalid');
        const given = request.headers[CSRF_HEADER];
        if (!csrfMatches(session, typeof given === 'string' ? given : undefined)) throw new ShiplineError('auth.csrf');
        const { email } = session.user;
        checkPassword(request.body.newPassword);
        // The current password is a guess like a sign-in's (a stolen cookie must not make it free to try), so the same limits apply.
        const waitMs = Math.max(byEmail.blockedFor(email), byIp.blockedFor(request.ip));
        if (waitMs > 0) {
          reply.header('retry-after', String(Math.ceil(waitMs / 1000)));
          throw new ShiplineError('auth.rate_limited');
        }
        byEmail.fail(email);
        byIp.fail(request.ip);
        if (!(await store.users.verify(email, request.body.currentPassword)))
          throw new ShiplineError('auth.sign_in_failed', 'The current password is wrong');
        byEmail.forgive(email);
        byIp.forgive(request.ip);
        await store.users.setPassword(email, request.body.newPassword, { keepSession: id! });
        return reply.status(204).send(null);
      },
    );

    app.delete(
      '/auth/session',
      {
        schema: { summary: 'Sign out: ends the session and clears the cookie', tags, response: { 204: Type.Null(), 403: ErrorBody } },
      },
      async (request, reply) => {
        const id = readCookie(request.headers.cookie, SESSION_COOKIE);
        if (id !== undefined) {
          const session = await store.sessions.authenticate(id);
          // A live session is ended only with its CSRF token, like any other signed-in change.
          const given = request.headers[CSRF_HEADER];
          if (session && !csrfMatches(session, typeof given === 'string' ? given : undefined)) throw new ShiplineError('auth.csrf');
          await store.sessions.remove(id);
        }
        setSessionCookie(reply, '', 0, cookieIsSecure(request, config.publicUrl));
        return reply.status(204).send(null);
      },
    );
  };
}
