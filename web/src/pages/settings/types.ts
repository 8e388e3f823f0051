// The server's shapes for users, tokens and secrets, from its schemas (type-only imports).
import type { Static } from '@fastify/type-provider-typebox';
import type * as Schemas from '../../../../src/server/schemas.js';
import type * as UserSchemas from '../../../../src/server/user-schemas.js';
import type { Role } from '../../lib/types';

export const ROLES: readonly Role[] = ['read', 'write', 'admin'];

export const ROLE_HINT: Record<Role, string> = {
  read: 'sees deploys, services, reactions, runs, events and connections',
  write: 'what read can, plus editing services and reactions, approving runs and managing deploy endpoints',
  admin: 'what write can, plus users, API tokens, secrets, connections and webhooks',
};

export type User = Static<typeof UserSchemas.User>;
export type Token = Static<typeof Schemas.Token>;
/** The answer to creating a token: the secret, in this answer only. */
export type TokenCreated = Static<typeof Schemas.TokenCreated>;
export type Secret = Static<typeof Schemas.Secret>;

/** The server's rule for passwords (src/store/users.ts). */
export const MIN_PASSWORD = 12;
