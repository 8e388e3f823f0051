// The server's shapes for users, tokens and secrets (src/server/user-schemas.ts, src/server/schemas.ts).
import type { Role } from '../../lib/types';

export const ROLES: readonly Role[] = ['read', 'write', 'admin'];

export const ROLE_HINT: Record<Role, string> = {
  read: 'sees deploys, services, reactions, runs, events and connections',
  write: 'what read can, plus editing services and reactions, approving runs and managing deploy endpoints',
  admin: 'what write can, plus users, API tokens, secrets, connections and webhooks',
};

export interface User {
  email: string;
  name: string;
  role: Role;
  disabled: boolean;
  disabledAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Token {
  id: string;
  name: string;
  role: Role;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** The answer to creating a token: the secret, in this answer only. */
export interface TokenCreated extends Token {
  token: string;
}

export interface Secret {
  name: string;
  /** Hosts the secret may be sent to; empty: any. */
  hosts: string[];
  createdAt: string;
  updatedAt: string;
}

/** The server's rule for passwords (src/store/users.ts). */
export const MIN_PASSWORD = 12;
