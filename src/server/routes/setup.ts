import { Type } from 'typebox';
import { ShiplineError } from '../../core/errors.js';
import type { Store } from '../../store/index.js';
import { SESSION_MAX_MS } from '../../store/sessions.js';
import { ErrorBody } from '../schemas.js';
import type { SetupCode } from '../setup-code.js';
import { SessionView } from '../user-schemas.js';
import { cookieIsSecure, FailureWindow, setSessionCookie, view } from './session.js';
import type { App } from './types.js';

const tags = ['session'];

/** Wrong setup codes allowed per client address per window before answering 429 (default 10 per 15 minutes). */
export const SETUP_LIMITS = { perIp: 10, windowMs: 15 * 60_000 };

const SetupState = Type.Object({
  needed: Type.Boolean({ description: 'True while no account exists: the web UI then shows its setup page instead of sign-in' }),
});

const FirstAdmin = Type.Object(
  {
    code: Type.String({ minLength: 1, maxLength: 64, description: 'The setup code Shipline printed when it started' }),
    email: Type.String({ minLength: 3, maxLength: 320, pattern: '@' }),
    name: Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' }),
    password: Type.String({ minLength: 1, maxLength: 1024, description: 'At least 12 characters' }),
  },
  { additionalProperties: false },
);

/**
 * The first-run setup: while no account exists, the holder of the setup code printed at start
 * creates the first admin from the browser and is signed in. Public routes, as sign-in is; once
 * any account exists they refuse, whatever the code.
 */
export function setupRoutes(store: Store, config: { publicUrl: string }, code: SetupCode) {
  const byIp = new FailureWindow(SETUP_LIMITS.perIp, SETUP_LIMITS.windowMs);

  return async (app: App) => {
    app.get(
      '/auth/setup',
      { schema: { summary: 'Whether this Shipline still needs its first admin (the setup page)', tags, response: { 200: SetupState } } },
      async () => ({ needed: !(await store.users.any()) }),
    );

    app.post(
      '/auth/setup',
      {
        schema: {
          summary: 'Create the first admin with the setup code printed at start; sets the shipline_session cookie',
          tags,
          body: FirstAdmin,
          response: { 201: SessionView, 400: ErrorBody, 403: ErrorBody, 409: ErrorBody, 429: ErrorBody },
        },
      },
      async (request, reply) => {
        const ip = request.ip;
        const waitMs = byIp.blockedFor(ip);
        if (waitMs > 0) {
          reply.header('retry-after', String(Math.ceil(waitMs / 1000)));
          throw new ShiplineError('setup.rate_limited');
        }
        // Counted before anything is awaited, so concurrent guesses cannot all slip in under the limit.
        byIp.fail(ip);
        if (await store.users.any()) {
          code.retire();
          throw new ShiplineError('setup.done');
        }
        if (!code.matches(request.body.code)) {
          // A setup that finished since the check above retired this code: the account it made is
          // the answer, not the code, as it is for every setup that comes after.
          if (await store.users.any()) throw new ShiplineError('setup.done');
          throw new ShiplineError('setup.code_invalid');
        }
        byIp.forgive(ip);
        const { email, name, password } = request.body;
        // Undefined when another setup (another browser, another instance) created the first account meanwhile.
        const user = await store.users.createFirst({ email, name, password });
        if (!user) {
          code.retire();
          throw new ShiplineError('setup.done');
        }
        code.retire();
        const session = await store.sessions.create({ email: user.email, name: user.name, role: user.role });
        setSessionCookie(reply, session.id, Math.floor(SESSION_MAX_MS / 1000), cookieIsSecure(request, config.publicUrl));
        return reply.status(201).send(view(session));
      },
    );
  };
}
