import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { ShiplineError } from '../core/errors.js';
import type { Role } from '../core/vocabulary.js';
import type { Db } from './database.js';

export interface ApiToken {
  id: string;
  name: string;
  role: Role;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** Tokens are long random strings, so one SHA-256 is enough to store them safely. */
function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function generateToken(): string {
  return `shp_${randomBytes(32).toString('base64url')}`;
}

// last_used_at is written at most this often per token, to keep reads from becoming writes.
const LAST_USED_RESOLUTION_MS = 60_000;

export function tokensRepo(db: Db) {
  const k = db.kysely;
  const toToken = (r: { id: string; name: string; role: string; created_at: string; last_used_at: string | null; revoked_at: string | null }): ApiToken => ({
    id: r.id,
    name: r.name,
    role: r.role as Role,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
  });

  async function insert(name: string, role: Role, token: string): Promise<ApiToken> {
    const row = { id: randomUUID(), name, role, token_hash: hashToken(token), created_at: new Date().toISOString(), last_used_at: null, revoked_at: null, expires_at: null, run_id: null };
    await k.insertInto('api_tokens').values(row).execute();
    return toToken(row);
  }

  return {
    /** Creates a token; the secret is returned here once and never again. */
    async create(name: string, role: Role): Promise<ApiToken & { token: string }> {
      const token = generateToken();
      return { ...(await insert(name, role, token)), token };
    },

    /** Makes sure a token with this exact value exists with role admin (SHIPLINE_ADMIN_TOKEN). */
    async ensure(name: string, role: Role, token: string): Promise<void> {
      const hash = hashToken(token);
      const existing = await k.selectFrom('api_tokens').select(['id']).where('token_hash', '=', hash).executeTakeFirst();
      if (existing) {
        await k.updateTable('api_tokens').set({ role, revoked_at: null }).where('id', '=', existing.id).execute();
      } else {
        await insert(name, role, token);
      }
    },

    /**
     * A token with role write for one run (scripts call the API with it): it expires after
     * `ttlMs` at the latest and is revoked when the run ends.
     */
    async createForRun(runId: string, name: string, ttlMs = 60 * 60_000): Promise<string> {
      const token = generateToken();
      const now = Date.now();
      const row = {
        id: randomUUID(), name, role: 'write', token_hash: hashToken(token), created_at: new Date(now).toISOString(),
        last_used_at: null, revoked_at: null, expires_at: new Date(now + ttlMs).toISOString(), run_id: runId,
      };
      await k.insertInto('api_tokens').values(row).execute();
      return token;
    },

    async hasActiveAdmin(): Promise<boolean> {
      const row = await k.selectFrom('api_tokens').select('id').where('role', '=', 'admin').where('revoked_at', 'is', null).executeTakeFirst();
      return row !== undefined;
    },

    /** The active token with this secret, or undefined. */
    async authenticate(token: string): Promise<ApiToken | undefined> {
      const row = await k.selectFrom('api_tokens').selectAll().where('token_hash', '=', hashToken(token)).where('revoked_at', 'is', null).executeTakeFirst();
      if (!row) return undefined;
      const now = Date.now();
      if (row.expires_at && Date.parse(row.expires_at) <= now) return undefined;
      if (!row.last_used_at || now - Date.parse(row.last_used_at) > LAST_USED_RESOLUTION_MS) {
        row.last_used_at = new Date(now).toISOString();
        await k.updateTable('api_tokens').set({ last_used_at: row.last_used_at }).where('id', '=', row.id).execute();
      }
      return toToken(row);
    },

    async list(): Promise<ApiToken[]> {
      // Run tokens come and go with runs; they are not the tokens people manage.
      const rows = await k.selectFrom('api_tokens').selectAll().where('run_id', 'is', null).orderBy('created_at').orderBy('id').execute();
      return rows.map(toToken);
    },

    async revoke(id: string): Promise<ApiToken> {
      const row = await k.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) throw new ShiplineError('token.not_found');
      if (!row.revoked_at) {
        row.revoked_at = new Date().toISOString();
        await k.updateTable('api_tokens').set({ revoked_at: row.revoked_at }).where('id', '=', id).execute();
      }
      return toToken(row);
    },
  };
}

export type TokensRepo = ReturnType<typeof tokensRepo>;
