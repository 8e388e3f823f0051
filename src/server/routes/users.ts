import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deploy, Deployer } from '../../core/vocabulary.js';
import type { Store } from '../../store/index.js';
import type { UsersRepo } from '../../store/users.js';
import { normaliseEmail } from '../../store/users.js';
import { ErrorResponses, List } from '../schemas.js';
import { PasswordSet, User, UserCreate, UserParams, UserPatch } from '../user-schemas.js';
import type { App } from './types.js';

const tags = ['users'];

/** Local user accounts; admins only. Responses never carry a password or its hash. */
export function userRoutes(store: Store) {
  return async (app: App) => {
    app.get(
      '/users',
      {
        config: { minRole: 'admin' },
        schema: { summary: 'List users', tags, response: { 200: List(User), ...ErrorResponses } },
      },
      async () => ({ items: await store.users.list() }),
    );

    app.post(
      '/users',
      {
        config: { minRole: 'admin' },
        schema: {
          summary: 'Create a user (the password needs at least 12 characters)',
          tags,
          body: UserCreate,
          response: { 201: User, ...ErrorResponses },
        },
      },
      async (request, reply) => reply.status(201).send(await store.users.create(request.body)),
    );

    app.get(
      '/users/:email',
      {
        config: { minRole: 'admin' },
        schema: { summary: 'Show a user', tags, params: UserParams, response: { 200: User, ...ErrorResponses } },
      },
      async (request) => store.users.get(request.params.email),
    );

    app.patch(
      '/users/:email',
      {
        config: { minRole: 'admin' },
        schema: {
          summary: "Change a user's name or role, or disable them (ends their sessions at once)",
          tags,
          params: UserParams,
          body: UserPatch,
          response: { 200: User, ...ErrorResponses },
        },
      },
      async (request) => store.users.update(request.params.email, request.body),
    );

    app.post(
      '/users/:email/password',
      {
        config: { minRole: 'admin' },
        schema: {
          summary: "Set a user's password (ends their sessions)",
          tags,
          params: UserParams,
          body: PasswordSet,
          response: { 200: User, ...ErrorResponses },
        },
      },
      async (request) => store.users.setPassword(request.params.email, request.body.password),
    );
  };
}

/** A deploy whose deployer carries the Shipline user with the deployer's email, or null. */
export type LinkedDeploy = Deploy & { deployer: Deployer & { user: { email: string; name: string } | null } };

/**
 * Links deployers to users (as OpsLevel does): one lookup by the distinct emails, when deploys are
 * read, so the ingest path stays as it is and renaming a user shows at once. Sets `deployer.user`
 * on the given deploys (fresh from the store: nothing else holds them) and returns them.
 */
export async function linkUsers(users: UsersRepo, deploys: Deploy[]): Promise<LinkedDeploy[]> {
  const found = await users.byEmails(deploys.map((d) => d.deployer.email).filter((e): e is string => e !== null));
  return deploys.map((d) => {
    const user = d.deployer.email === null ? undefined : found.get(normaliseEmail(d.deployer.email));
    const linked = d as LinkedDeploy;
    linked.deployer.user = user ? { email: user.email, name: user.name } : null;
    return linked;
  });
}

// The list here; GET /api/v1/deploys/:id links its one deploy itself. Events (and the environments'
// latest deploys) stay as the deploy was recorded: history, with no live link.
const DEPLOY_LIST = '/api/v1/deploys';

/**
 * Links the deployers of the deploy list to users. The hook is attached to that one route, so no
 * other request (the ingest above all) pays for it; call this before the deploy routes are registered.
 */
export function linkDeployersToUsers(app: FastifyInstance, users: UsersRepo): void {
  const link = async (_request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (reply.statusCode === 200) await linkUsers(users, (payload as { items: Deploy[] }).items);
    return payload;
  };
  app.addHook('onRoute', (route) => {
    if (route.url !== DEPLOY_LIST || ![route.method].flat().includes('GET')) return;
    route.preSerialization = [route.preSerialization ?? []].flat().concat(link);
  });
}
