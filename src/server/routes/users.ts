import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deploy, Deployer } from '../../core/vocabulary.js';
import type { Store } from '../../store/index.js';
import type { UsersRepo } from '../../store/users.js';
import { normaliseEmail } from '../../store/users.js';
import { ErrorResponses, List } from '../schemas.js';
import { PasswordSet, User, UserCreate, UserParams, UserPatch } from '../user-schemas.js';
import type { App } from './types.js';
import { BEARER } from './types.js';

const tags = ['users'];

/** Local user accounts; admins only. Responses never carry a password or its hash. */
export function userRoutes(store: Store) {
  return async (app: App) => {
    app.get('/api/v1/users', {
      config: { minRole: 'admin' },
      schema: { summary: 'List users', tags, security: BEARER, response: { 200: List(User), ...ErrorResponses } },
    }, async () => ({ items: await store.users.list() }));

    app.post('/api/v1/users', {
      config: { minRole: 'admin' },
      schema: { summary: 'Create a user (the password needs at least 12 characters)', tags, security: BEARER, body: UserCreate, response: { 201: User, ...ErrorResponses } },
    }, async (request, reply) => reply.status(201).send(await store.users.create(request.body)));

    app.get('/api/v1/users/:email', {
      config: { minRole: 'admin' },
      schema: { summary: 'Show a user', tags, security: BEARER, params: UserParams, response: { 200: User, ...ErrorResponses } },
    }, async (request) => store.users.get(request.params.email));

    app.patch('/api/v1/users/:email', {
      config: { minRole: 'admin' },
      schema: { summary: 'Change a user\'s name or role, or disable them (ends their sessions at once)', tags, security: BEARER, params: UserParams, body: UserPatch, response: { 200: User, ...ErrorResponses } },
    }, async (request) => store.users.update(request.params.email, request.body));

    app.post('/api/v1/users/:email/password', {
      config: { minRole: 'admin' },
      schema: { summary: 'Set a user\'s password (ends their sessions)', tags, security: BEARER, params: UserParams, body: PasswordSet, response: { 200: User, ...ErrorResponses } },
    }, async (request) => store.users.setPassword(request.params.email, request.body.password));
  };
}

// Only the list: GET /api/v1/deploys/:id stays exactly the `deploy.recorded` event's data
// (immutable history, pinned by test/ingest-api.test.ts), while a link to a user is a live view.
const DEPLOY_LIST = '/api/v1/deploys';

/**
 * Links deployers to users (as OpsLevel does) when deploys are listed: one lookup by the page's
 * distinct emails, so the ingest path stays as it is and renaming a user shows at once. The hook
 * is attached to that one route, so no other request (the ingest above all) pays for it; call
 * this before the deploy routes are registered.
 */
export function linkDeployersToUsers(app: FastifyInstance, users: UsersRepo): void {
  const link = async (_request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (reply.statusCode !== 200) return payload;
    const deploys = (payload as { items: Deploy[] }).items;
    const found = await users.byEmails(deploys.map((d) => d.deployer.email).filter((e): e is string => e !== null));
    for (const d of deploys) {
      const user = d.deployer.email === null ? undefined : found.get(normaliseEmail(d.deployer.email));
      (d.deployer as Deployer & { user?: { email: string; name: string } | null }).user = user ? { email: user.email, name: user.name } : null;
    }
    return payload;
  };
  app.addHook('onRoute', (route) => {
    if (route.url !== DEPLOY_LIST || ![route.method].flat().includes('GET')) return;
    route.preSerialization = [route.preSerialization ?? []].flat().concat(link);
  });
}
