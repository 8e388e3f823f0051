// The server's shapes the shared parts of the UI use (src/server/schemas.ts is the source of
// truth; /api/openapi.json documents them). Pages keep the types only they use next to them.

export type Role = 'read' | 'write' | 'admin';

export interface SessionView {
  user: { email: string; name: string; role: Role };
  csrfToken: string;
  expiresAt: string;
}

export interface Commit {
  sha: string | null;
  message: string | null;
  branch: string | null;
  date: string | null;
  committerName: string | null;
  committerEmail: string | null;
  authorName: string | null;
  authorEmail: string | null;
  authoringDate: string | null;
}

export type DeployStatus = 'queued' | 'started' | 'succeeded' | 'failed';

export interface Deploy {
  id: string;
  /** The deploy endpoint's name (never its id, the endpoint's credential); null once deleted before names were kept. */
  endpoint: string | null;
  service: { id: string; name: string } | null;
  serviceAlias: string;
  environment: string | null;
  description: string;
  deployedAt: string;
  deployUrl: string | null;
  deployNumber: string;
  dedupId: string | null;
  deployer: { id: string | null; email: string | null; name: string | null; user?: { email: string; name: string } | null };
  commit: Commit | null;
  receivedAt: string;
  status: DeployStatus;
  source: string;
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

export interface ShiplineEvent {
  id: string;
  type: string;
  source: string;
  timestamp: string;
  receivedAt: string;
  seq: number;
  data: unknown;
}
