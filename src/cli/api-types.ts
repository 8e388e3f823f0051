// The shapes the CLI reads from the REST API (/api/v1, camelCase). Kept here rather than
// imported from the server so the CLI depends only on the wire contract, not on server code.

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface List<T> {
  items: T[];
}

export interface Service {
  id: string;
  name: string;
  aliases: string[];
  description: string | null;
  owner: string | null;
  tags: string[];
  createdAt: string;
  updatedAt: string;
}

export interface DeployEndpoint {
  id: string;
  name: string;
  url: string;
  createdAt: string;
}

export interface Deploy {
  id: string;
  endpointId: string;
  service: { id: string; name: string } | null;
  serviceAlias: string;
  environment: string | null;
  description: string;
  deployedAt: string;
  deployUrl: string | null;
  deployNumber: string;
  dedupId: string | null;
  deployer: { id: string | null; email: string | null; name: string | null };
  commit: { sha: string | null; branch: string | null; message: string | null } | null;
  receivedAt: string;
}

export interface Suggestion {
  alias: string;
  deployCount: number;
  firstSeenAt: string;
  lastSeenAt: string;
}

export type Role = 'read' | 'write' | 'admin';

export const ROLES: readonly Role[] = ['read', 'write', 'admin'];

export interface ApiToken {
  id: string;
  name: string;
  role: Role;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface CreatedToken extends ApiToken {
  /** The secret: the server shows it in the create response only. */
  token: string;
}
